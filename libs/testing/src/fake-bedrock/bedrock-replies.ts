import { chunkFrame, eventFrame } from './event-stream.writer';

type Json = Record<string, unknown>;
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => !!x && typeof x === 'object') : []);

/** What the fake model "does" with a conversation: think if asked, call the first tool once, then answer. */
interface Turn {
  thinking?: { text: string; signature: string };
  text: string;
  tool?: { id: string; name: string; input: Json };
}

export const FAKE_USAGE = { input: 12, output: 9, cacheRead: 100, cacheWrite: 20 };

function decideTurn(toolNames: string[], lastUserHasResult: boolean, thinking: boolean): Turn {
  const turn: Turn = { text: lastUserHasResult ? 'Sunny, 21°C in Paris.' : 'Hello from Bedrock.' };
  if (thinking) turn.thinking = { text: 'The user wants the weather.', signature: 'EqoBCkgIARABGAIiQ-bedrock-signature' };
  if (toolNames.length > 0 && !lastUserHasResult) {
    turn.text = 'Checking.';
    turn.tool = { id: 'tooluse_Fake01', name: toolNames[0], input: { city: 'Paris' } };
  }
  return turn;
}

export function converseTurn(body: Json): Turn {
  const tools = objects((body['toolConfig'] as Json | undefined)?.['tools'])
    .map((t) => (t['toolSpec'] as Json | undefined)?.['name'])
    .filter((n): n is string => typeof n === 'string');
  const messages = objects(body['messages']);
  const last = messages[messages.length - 1];
  const hasResult = objects(last?.['content']).some((b) => 'toolResult' in b);
  const thinking = !!(body['additionalModelRequestFields'] as Json | undefined)?.['thinking'];
  return decideTurn(tools, hasResult, thinking);
}

export function anthropicTurn(body: Json): Turn {
  const tools = objects(body['tools'])
    .map((t) => t['name'])
    .filter((n): n is string => typeof n === 'string');
  const messages = objects(body['messages']);
  const last = messages[messages.length - 1];
  const hasResult = objects(last?.['content']).some((b) => b['type'] === 'tool_result');
  return decideTurn(tools, hasResult, !!body['thinking']);
}

const converseUsage = () => ({
  inputTokens: FAKE_USAGE.input,
  outputTokens: FAKE_USAGE.output,
  totalTokens: FAKE_USAGE.input + FAKE_USAGE.output + FAKE_USAGE.cacheRead + FAKE_USAGE.cacheWrite,
  cacheReadInputTokens: FAKE_USAGE.cacheRead,
  cacheWriteInputTokens: FAKE_USAGE.cacheWrite,
});

export function converseResponse(turn: Turn): Json {
  const content: Json[] = [];
  if (turn.thinking) content.push({ reasoningContent: { reasoningText: { text: turn.thinking.text, signature: turn.thinking.signature } } });
  content.push({ text: turn.text });
  if (turn.tool) content.push({ toolUse: { toolUseId: turn.tool.id, name: turn.tool.name, input: turn.tool.input } });
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: turn.tool ? 'tool_use' : 'end_turn',
    usage: converseUsage(),
    metrics: { latencyMs: 321 },
  };
}

/** ConverseStream's frames for a turn, in the order AWS sends them (text blocks have no start event). */
export function converseStreamFrames(turn: Turn): Buffer[] {
  const frames = [eventFrame('messageStart', { role: 'assistant' })];
  let i = 0;
  if (turn.thinking) {
    const half = Math.ceil(turn.thinking.text.length / 2);
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: i, delta: { reasoningContent: { text: turn.thinking.text.slice(0, half) } } }));
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: i, delta: { reasoningContent: { text: turn.thinking.text.slice(half) } } }));
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: i, delta: { reasoningContent: { signature: turn.thinking.signature } } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: i++ }));
  }
  for (const piece of turn.text.match(/.{1,6}/gsu) ?? []) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: i, delta: { text: piece } }));
  frames.push(eventFrame('contentBlockStop', { contentBlockIndex: i++ }));
  if (turn.tool) {
    frames.push(eventFrame('contentBlockStart', { contentBlockIndex: i, start: { toolUse: { toolUseId: turn.tool.id, name: turn.tool.name } } }));
    const args = JSON.stringify(turn.tool.input);
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: i, delta: { toolUse: { input: args.slice(0, 5) } } }));
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: i, delta: { toolUse: { input: args.slice(5) } } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: i }));
  }
  frames.push(eventFrame('messageStop', { stopReason: turn.tool ? 'tool_use' : 'end_turn' }));
  frames.push(eventFrame('metadata', { usage: converseUsage(), metrics: { latencyMs: 456 } }));
  return frames;
}

const anthropicUsage = () => ({
  input_tokens: FAKE_USAGE.input,
  output_tokens: FAKE_USAGE.output,
  cache_read_input_tokens: FAKE_USAGE.cacheRead,
  cache_creation_input_tokens: FAKE_USAGE.cacheWrite,
});

export function anthropicMessage(turn: Turn, model: string): Json {
  const content: Json[] = [];
  if (turn.thinking) content.push({ type: 'thinking', thinking: turn.thinking.text, signature: turn.thinking.signature });
  content.push({ type: 'text', text: turn.text });
  if (turn.tool) content.push({ type: 'tool_use', id: 'toolu_bdrk_01Fake', name: turn.tool.name, input: turn.tool.input });
  return {
    id: 'msg_bdrk_01Fake',
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: turn.tool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage(),
  };
}

/** InvokeModelWithResponseStream: Anthropic's stream events, each in a `chunk` frame. */
export function anthropicStreamFrames(turn: Turn, model: string): Buffer[] {
  const events: Json[] = [
    {
      type: 'message_start',
      message: {
        id: 'msg_bdrk_01Fake',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...anthropicUsage(), output_tokens: 1 },
      },
    },
  ];
  let i = 0;
  if (turn.thinking) {
    events.push({ type: 'content_block_start', index: i, content_block: { type: 'thinking', thinking: '', signature: '' } });
    events.push({ type: 'content_block_delta', index: i, delta: { type: 'thinking_delta', thinking: turn.thinking.text } });
    events.push({ type: 'content_block_delta', index: i, delta: { type: 'signature_delta', signature: turn.thinking.signature } });
    events.push({ type: 'content_block_stop', index: i++ });
  }
  events.push({ type: 'content_block_start', index: i, content_block: { type: 'text', text: '' } });
  for (const piece of turn.text.match(/.{1,6}/gsu) ?? []) events.push({ type: 'content_block_delta', index: i, delta: { type: 'text_delta', text: piece } });
  events.push({ type: 'content_block_stop', index: i++ });
  if (turn.tool) {
    events.push({ type: 'content_block_start', index: i, content_block: { type: 'tool_use', id: 'toolu_bdrk_01Fake', name: turn.tool.name, input: {} } });
    events.push({ type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: JSON.stringify(turn.tool.input) } });
    events.push({ type: 'content_block_stop', index: i });
  }
  events.push({
    type: 'message_delta',
    delta: { stop_reason: turn.tool ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: FAKE_USAGE.output },
  });
  events.push({
    type: 'message_stop',
    'amazon-bedrock-invocationMetrics': {
      inputTokenCount: FAKE_USAGE.input,
      outputTokenCount: FAKE_USAGE.output,
      invocationLatency: 900,
      firstByteLatency: 300,
    },
  });
  return events.map(chunkFrame);
}
