import { kiroBodyProblem } from '@switchboard/testing';
import { convertRequest } from '../conversion/convert-request';
import { createStreamAggregator } from '../conversion/stream-aggregator';
import { createStreamTranslator } from '../conversion/stream-translator';
import { encodeResponse } from '../conversion/response-codecs';
import type { ConvertContext } from '../protocol.types';
import { kiroModelId } from './kiro-model.map';
import { kiroToolName } from './kiro-request.encoder';
import type { KiroRequest } from './kiro.types';

const ctx = (over: Partial<ConvertContext> = {}): ConvertContext => ({
  upstreamModel: 'claude-sonnet-4-5-20250929',
  requestedModel: 'claude-sonnet-4-5-20250929',
  stream: true,
  requestId: 'req_kiro_1',
  ...over,
});
const toKiro = (from: 'openai-chat' | 'anthropic' | 'gemini', body: Record<string, unknown>, c = ctx()) =>
  convertRequest(from, 'kiro', body, c) as unknown as KiroRequest;
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('kiro request encoding (IR → generateAssistantResponse)', () => {
  it('puts the system prompt into the first user turn and sends the last user turn as currentMessage', () => {
    const body = toKiro('openai-chat', {
      model: 'm',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Weather?' },
      ],
    });
    expect(body.conversationState.history).toEqual([
      { userInputMessage: { content: 'Be terse.\n\nHi', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } },
      { assistantResponseMessage: { content: 'Hello!' } },
    ]);
    expect(body.conversationState.currentMessage).toEqual({ userInputMessage: { content: 'Weather?', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } });
    expect(body.conversationState).toMatchObject({ agentTaskType: 'vibe', chatTriggerType: 'MANUAL' });
    expect(body.conversationState.conversationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(kiroBodyProblem(body as never, undefined)).toBeNull();
  });

  it('a lone system prompt with one user message has no history; the system still opens the turn', () => {
    const body = toKiro('anthropic', { model: 'm', max_tokens: 10, system: 'Rules.', messages: [{ role: 'user', content: 'Go' }] });
    expect(body.conversationState.history).toBeUndefined();
    expect(body.conversationState.currentMessage.userInputMessage.content).toBe('Rules.\n\nGo');
  });

  it('merges same-role neighbours, starts with the user, ends history with the assistant, never sends empty content', () => {
    const body = toKiro('openai-chat', {
      model: 'm',
      messages: [
        { role: 'assistant', content: 'I was interrupted' },
        { role: 'assistant', content: 'twice' },
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'prefill' },
      ],
    });
    const h = body.conversationState.history!;
    expect(h.map((e) => Object.keys(e)[0])).toEqual(['userInputMessage', 'assistantResponseMessage', 'userInputMessage', 'assistantResponseMessage']);
    expect(h[0]).toEqual({ userInputMessage: { content: 'Continue', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' } });
    expect(h[1]).toEqual({ assistantResponseMessage: { content: 'I was interrupted\n\ntwice' } });
    expect((h[2] as { userInputMessage: { content: string } }).userInputMessage.content).toBe('a\n\nb');
    expect(body.conversationState.currentMessage.userInputMessage.content).toBe('Continue');
    expect(kiroBodyProblem(body as never, undefined)).toBeNull();
  });

  it('tools become toolSpecifications on the current turn; calls and results become toolUses and toolResults, de-duplicated', () => {
    const body = toKiro('openai-chat', {
      model: 'm',
      tools: [weather, { type: 'function', function: { name: 'no_desc', parameters: { type: 'object', properties: {} } } }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '21°C' },
        { role: 'tool', tool_call_id: 'call_1', content: '21°C' },
      ],
    });
    expect(body.conversationState.history![1]).toEqual({
      assistantResponseMessage: { content: '...', toolUses: [{ toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
    });
    const cur = body.conversationState.currentMessage.userInputMessage;
    expect(cur.content).toBe('Tool results provided.');
    expect(cur.userInputMessageContext!.toolResults).toEqual([{ toolUseId: 'call_1', status: 'success', content: [{ text: '21°C' }] }]);
    expect(cur.userInputMessageContext!.tools).toEqual([
      { toolSpecification: { name: 'get_weather', description: 'Weather of a city', inputSchema: { json: weather.function.parameters } } },
      // an empty description is refused upstream: the name stands in, the tool stays usable
      { toolSpecification: { name: 'no_desc', description: 'no_desc', inputSchema: { json: { type: 'object', properties: {} } } } },
    ]);
    expect(kiroBodyProblem(body as never, undefined)).toBeNull();
  });

  it('an Anthropic tool_result for a call the previous turn did not make goes as text, not as a malformed result', () => {
    const body = toKiro('anthropic', {
      model: 'm',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_gone', content: 'late' },
            { type: 'text', text: 'and?' },
          ],
        },
      ],
    });
    const cur = body.conversationState.currentMessage.userInputMessage;
    expect(cur.userInputMessageContext).toBeUndefined();
    expect(cur.content).toBe('Tool result (toolu_gone): late\n\nand?');
  });

  it('images go inline with their format; URL images are refused with a 400', () => {
    const body = toKiro('openai-chat', {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is it?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    expect(body.conversationState.currentMessage.userInputMessage.images).toEqual([{ format: 'png', source: { bytes: PNG } }]);
    expect(() =>
      toKiro('openai-chat', { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/cat.png' } }] }] }),
    ).toThrow(expect.objectContaining({ status: 400, message: expect.stringMatching(/inline data/) }));
  });

  it('tool names over 64 characters are shortened stably, and the stream maps them back to the client', () => {
    const long = `mcp__${'very_long_server_name_'.repeat(4)}__search_documents`;
    expect(long.length).toBeGreaterThan(64);
    const short = kiroToolName(long);
    expect([short.length, short === kiroToolName(long), kiroToolName('short')]).toEqual([64, true, 'short']);
    const c = ctx();
    const body = toKiro(
      'openai-chat',
      {
        model: 'm',
        tools: [{ type: 'function', function: { name: long, description: 'd', parameters: { type: 'object' } } }],
        messages: [
          { role: 'user', content: 'find' },
          { role: 'assistant', content: '', tool_calls: [{ id: 't1', type: 'function', function: { name: long, arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'none' },
          { role: 'user', content: 'again' },
        ],
      },
      c,
    );
    expect(body.conversationState.currentMessage.userInputMessage.userInputMessageContext!.tools![0].toolSpecification.name).toBe(short);
    expect(
      (body.conversationState.history![1] as { assistantResponseMessage: { toolUses: { name: string }[] } }).assistantResponseMessage.toolUses[0].name,
    ).toBe(short);
    expect(kiroBodyProblem(body as never, undefined)).toBeNull();
    const t = createStreamTranslator('kiro', 'openai-chat', { ...c, stream: true });
    const out = t.push(`event: toolUseEvent\ndata: {"toolUseId":"u1","name":"${short}","input":"{}","stop":true}\n\n`) + t.end();
    expect(out).toContain(`"name":"${long}"`);
  });

  it('maps Anthropic model ids to Kiro ids (§3.3) and leaves Kiro ids alone', () => {
    expect(
      [
        'claude-sonnet-4-5-20250929',
        'claude-haiku-4-5',
        'claude-opus-4-6',
        'claude-sonnet-4-20250514',
        'claude-3-7-sonnet-20250219',
        'claude-3-5-haiku-latest',
        'claude-sonnet-4.5',
        'auto',
      ].map(kiroModelId),
    ).toEqual([
      'claude-sonnet-4.5',
      'claude-haiku-4.5',
      'claude-opus-4.6',
      'CLAUDE_SONNET_4_20250514_V1_0',
      'CLAUDE_3_7_SONNET_20250219_V1_0',
      'CLAUDE_3_5_HAIKU_20241022_V1_0',
      'claude-sonnet-4.5',
      'auto',
    ]);
  });

  it('a Gemini client converts too (system instruction, function declarations)', () => {
    const body = toKiro('gemini', {
      systemInstruction: { parts: [{ text: 'Sys' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      tools: [{ functionDeclarations: [{ name: 'f', description: 'does f', parameters: { type: 'OBJECT', properties: { a: { type: 'STRING' } } } }] }],
    });
    const cur = body.conversationState.currentMessage.userInputMessage;
    expect(cur.content).toBe('Sys\n\nHi');
    expect(cur.userInputMessageContext!.tools![0].toolSpecification.name).toBe('f');
    expect(kiroBodyProblem(body as never, undefined)).toBeNull();
  });
});

const sse = (name: string, payload: unknown) => `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;

describe('kiro stream decoding', () => {
  const transcript = [
    sse('messageMetadataEvent', { conversationId: 'c', utteranceId: 'u' }),
    sse('reasoningContentEvent', { text: 'Think' }),
    sse('reasoningContentEvent', { text: 'ing.', signature: 'sig1' }),
    sse('assistantResponseEvent', { content: 'Let me ' }),
    // payloads may come wrapped in their event name
    sse('assistantResponseEvent', { assistantResponseEvent: { content: 'check.' } }),
    sse('toolUseEvent', { toolUseId: 'tu_1', name: 'get_weather', input: '' }),
    sse('toolUseEvent', { toolUseId: 'tu_1', name: 'get_weather', input: '{"city":' }),
    sse('toolUseEvent', { toolUseId: 'tu_1', name: 'get_weather', input: '"Paris"}' }),
    sse('toolUseEvent', { toolUseId: 'tu_1', name: 'get_weather', stop: true }),
    sse('meteringEvent', { unit: 'credit', unitPlural: 'credits', usage: 0.02 }),
    sse('contextUsageEvent', { contextUsagePercentage: 1.5 }),
    sse('metadataEvent', { tokenUsage: { uncachedInputTokens: 100, cacheReadInputTokens: 20, cacheWriteInputTokens: 5, outputTokens: 30, totalTokens: 150 } }),
  ].join('');

  it('aggregates text, reasoning, fragmented tool input, usage from metadataEvent and the tool_use stop reason', () => {
    const agg = createStreamAggregator('kiro', ctx({ stream: false }));
    // any split of the text
    for (let i = 0; i < transcript.length; i += 7) agg.push(transcript.slice(i, i + 7));
    const ir = agg.end()!;
    expect(ir.parts).toEqual([
      { type: 'thinking', text: 'Thinking.', signature: 'sig1' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_call', id: 'tu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
    expect(ir.stopReason).toBe('tool_calls');
    expect(ir.usage).toEqual({ promptTokens: 120, completionTokens: 30, cacheReadTokens: 20, cacheWriteTokens: 5, reasoningTokens: 0 });
    const anthropic = encodeResponse('anthropic', ir, ctx({ stream: false }));
    expect(anthropic).toMatchObject({ stop_reason: 'tool_use', usage: { output_tokens: 30 } });
  });

  it('streams to an Anthropic client: thinking, text, tool_use with input_json_delta, stop_reason tool_use', () => {
    const t = createStreamTranslator('kiro', 'anthropic', ctx());
    const out = t.push(transcript) + t.end();
    const events = out
      .split('\n\n')
      .filter((b) => b.startsWith('event:'))
      .map((b) => JSON.parse(b.split('\ndata: ')[1]) as Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[14]).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 30 } });
    expect(t.finishReason).toBe('tool_calls');
  });

  it('without metadataEvent, usage is estimated from the context share; plain text ends with end_turn', () => {
    const agg = createStreamAggregator('kiro', ctx({ stream: false }));
    agg.push(sse('assistantResponseEvent', { content: 'Hello there' }) + sse('contextUsageEvent', { contextUsagePercentage: 0.5 }));
    const ir = agg.end()!;
    expect(ir.stopReason).toBe('stop');
    expect(ir.usage!.promptTokens + ir.usage!.completionTokens).toBe(1000);
    expect(ir.usage!.completionTokens).toBeGreaterThan(0);
  });

  it('invalidStateEvent and exception frames are in-stream errors', () => {
    const agg = createStreamAggregator('kiro', ctx({ stream: false }));
    agg.push(sse('invalidStateEvent', { reason: 'INVALID_TASK_STATE', message: 'Invalid conversation state' }));
    expect(agg.end()).toBeNull();
    expect(agg.error).toMatchObject({ status: 400, message: 'Invalid conversation state' });

    const t = createStreamTranslator('kiro', 'openai-chat', ctx());
    const out =
      t.push(sse('assistantResponseEvent', { content: 'Hi' }) + sse('exception', { code: 'throttlingException', message: 'Too many requests, please wait' })) +
      t.end();
    expect(out).toContain('"content":"Hi"');
    expect(out).toContain('Too many requests, please wait');
    expect(t.upstreamError).toEqual({ status: 429, message: 'Too many requests, please wait' });
  });

  it('an empty stream is an error, not an empty answer', () => {
    const agg = createStreamAggregator('kiro', ctx({ stream: false }));
    expect(agg.end()).toBeNull();
    expect(agg.error!.status).toBe(502);
  });
});
