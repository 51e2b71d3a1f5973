import { convertRequest } from '../conversion/convert-request';
import { convertResponse } from '../conversion/convert-response';
import { createStreamTranslator } from '../conversion/stream-translator';
import { extractUsage } from '../accounting/usage.extractor';
import { fixtureJson, fixtureText, randomSplits } from '../testing/fixtures.loader';
import { bedrockModelProvider, isBedrockAnthropicModel } from './bedrock-model.util';

const CLAUDE = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const ctx = (over: { stream?: boolean; upstreamModel?: string } = {}) => ({
  upstreamModel: over.upstreamModel ?? CLAUDE,
  requestedModel: 'claude-sonnet-4',
  stream: over.stream ?? false,
  requestId: 'req_bedrock_1',
  createdAt: 1_700_000_000,
});

describe('bedrock-converse requests', () => {
  it('OpenAI chat with an image, tool history, a forced tool, temperature 1.6 → Converse (clamped to 1, no topP beside it for Claude)', () => {
    const body = fixtureJson('bedrock-converse/openai-chat-tools.request.json');
    expect(convertRequest('openai-chat', 'bedrock-converse', body, ctx())).toEqual(fixtureJson('bedrock-converse/openai-chat-tools.converse.json'));
  });

  it('Anthropic with thinking signatures, cache breakpoints, a PDF and tool_choice none → reasoningContent, cachePoints, a document, a toolConfig stub', () => {
    const body = fixtureJson('bedrock-converse/anthropic-thinking.request.json');
    expect(convertRequest('anthropic', 'bedrock-converse', body, ctx())).toEqual(fixtureJson('bedrock-converse/anthropic-thinking.converse.json'));
  });

  it('other model families: temperature clamped and topP kept, no Claude fields, no reasoning signatures sent', () => {
    const out = convertRequest(
      'openai-chat',
      'bedrock-converse',
      { model: 'x', messages: [{ role: 'user', content: 'hi' }], temperature: 2, top_p: 0.5, reasoning_effort: 'high', top_k: 5 },
      ctx({ upstreamModel: 'amazon.nova-pro-v1:0' }),
    );
    expect(out).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { temperature: 1, topP: 0.5 } });
    const oss = convertRequest(
      'openai-chat',
      'bedrock-converse',
      { model: 'x', messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'high' },
      ctx({ upstreamModel: 'openai.gpt-oss-120b-1:0' }),
    );
    expect(oss['additionalModelRequestFields']).toEqual({ reasoning_effort: 'high' });
  });

  it('refuses what Converse cannot take with a 400 naming the field: image URLs, audio, n > 1', () => {
    const send =
      (messages: unknown[], extra: Record<string, unknown> = {}) =>
      () =>
        convertRequest('openai-chat', 'bedrock-converse', { model: 'x', messages, ...extra }, ctx());
    expect(send([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }])).toThrow(/base64 data/);
    expect(send([{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }])).toThrow(/Audio input/);
    expect(send([{ role: 'user', content: 'hi' }], { n: 2 })).toThrow(expect.objectContaining({ status: 400, param: 'n' }));
  });

  it('knows model families through geo prefixes and ARNs', () => {
    expect(
      ['anthropic.claude-3-5-haiku-20241022-v1:0', 'global.anthropic.claude-sonnet-4-6', 'apac.anthropic.claude-3-haiku-20240307-v1:0'].map(
        isBedrockAnthropicModel,
      ),
    ).toEqual([true, true, true]);
    expect(isBedrockAnthropicModel('arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0')).toBe(true);
    expect([
      bedrockModelProvider('us.meta.llama3-3-70b-instruct-v1:0'),
      bedrockModelProvider('amazon.nova-pro-v1:0'),
      bedrockModelProvider('eu.mistral.pixtral-large-2502-v1:0'),
    ]).toEqual(['meta', 'amazon', 'mistral']);
  });
});

describe('bedrock-converse responses', () => {
  it('→ OpenAI chat: text, tool call, reasoning, tool_calls finish; prompt tokens = input + cache read + cache write', () => {
    const out = convertResponse('bedrock-converse', 'openai-chat', fixtureJson('bedrock-converse/converse.response.json'), ctx()) as {
      choices: { message: { content: string; tool_calls: { id: string; function: { name: string; arguments: string } }[] }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
    };
    const choice = out.choices[0];
    expect([choice.message.content, choice.finish_reason]).toEqual(['Checking.', 'tool_calls']);
    expect(choice.message.tool_calls.map((t) => [t.id, t.function.name, JSON.parse(t.function.arguments)])).toEqual([
      ['tooluse_x', 'get_weather', { city: 'Paris' }],
    ]);
    expect([out.usage.prompt_tokens, out.usage.completion_tokens, out.usage.prompt_tokens_details.cached_tokens]).toEqual([1512, 40, 1500]);
  });

  it('→ Anthropic: the thinking block keeps its signature, usage splits back into input and cache read', () => {
    const out = convertResponse('bedrock-converse', 'anthropic', fixtureJson('bedrock-converse/converse.response.json'), ctx()) as {
      content: Record<string, unknown>[];
      stop_reason: string;
      usage: Record<string, number>;
    };
    expect(out.content).toEqual([
      { type: 'thinking', thinking: 'The user wants the weather.', signature: 'EqoBCkgIARABGAIiQsig' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'tooluse_x', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect([out.stop_reason, out.usage.input_tokens, out.usage.cache_read_input_tokens]).toEqual(['tool_use', 12, 1500]);
  });

  it('stop reasons and usage for billing', () => {
    const stop = (stopReason: string) =>
      (
        convertResponse('bedrock-converse', 'openai-chat', { output: { message: { content: [{ text: 'x' }] } }, stopReason }, ctx()) as {
          choices: { finish_reason: string }[];
        }
      ).choices[0].finish_reason;
    expect(['end_turn', 'max_tokens', 'stop_sequence', 'guardrail_intervened', 'content_filtered', 'model_context_window_exceeded'].map(stop)).toEqual([
      'stop',
      'length',
      'stop',
      'content_filter',
      'content_filter',
      'length',
    ]);
    expect(extractUsage('bedrock-converse', fixtureJson('bedrock-converse/converse.response.json'))).toEqual({
      promptTokens: 1512,
      completionTokens: 40,
      cacheReadTokens: 1500,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });
});

describe("bedrock-converse streams (the framer's SSE)", () => {
  const sse = fixtureText('bedrock-converse/converse-stream.sse');

  it('→ OpenAI chat chunks at any split: reasoning, text, streamed tool arguments, finish, then usage', () => {
    for (const seed of [1, 2, 3]) {
      const t = createStreamTranslator('bedrock-converse', 'openai-chat', ctx({ stream: true }));
      let out = '';
      for (const piece of randomSplits(sse, seed)) out += t.push(piece);
      out += t.end();
      const chunks = out
        .split('\n\n')
        .filter((e) => e.startsWith('data: {'))
        .map((e) => JSON.parse(e.slice(6)) as { choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: Record<string, number> });
      const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
      expect(deltas.map((d) => d['content'] ?? '').join('')).toBe('Checking.');
      const calls = deltas.flatMap((d) => (d['tool_calls'] as { id?: string; function: { name?: string; arguments?: string } }[] | undefined) ?? []);
      expect([calls[0].id, calls[0].function.name, calls.map((c) => c.function.arguments ?? '').join('')]).toEqual([
        'tooluse_x',
        'get_weather',
        '{"city":"Paris"}',
      ]);
      expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual(['tool_calls']);
      expect(chunks.find((c) => c.usage)?.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 31 });
      expect(out.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(t.usage).toEqual({ promptTokens: 30, completionTokens: 31, cacheReadTokens: 10, cacheWriteTokens: 0, reasoningTokens: 0 });
    }
  });

  it('→ Anthropic events: a thinking block with its signature, text, tool_use, message_delta with usage', () => {
    const t = createStreamTranslator('bedrock-converse', 'anthropic', ctx({ stream: true }));
    const out = t.push(sse) + t.end();
    const events = out
      .split('\n\n')
      .filter(Boolean)
      .map(
        (e) =>
          JSON.parse(
            e
              .split('\n')
              .find((l) => l.startsWith('data: '))!
              .slice(6),
          ) as Record<string, unknown>,
      );
    const deltas = events.filter((e) => e['type'] === 'content_block_delta').map((e) => e['delta'] as Record<string, unknown>);
    expect(deltas.filter((d) => d['type'] === 'signature_delta').map((d) => d['signature'])).toEqual(['EqoBsig']);
    expect(events.filter((e) => e['type'] === 'content_block_start').map((e) => (e['content_block'] as { type: string }).type)).toEqual([
      'thinking',
      'text',
      'tool_use',
    ]);
    const messageDelta = events.find((e) => e['type'] === 'message_delta') as { delta: { stop_reason: string }; usage: Record<string, number> };
    expect([messageDelta.delta.stop_reason, messageDelta.usage['output_tokens']]).toEqual(['tool_use', 31]);
    expect(events[events.length - 1]['type']).toBe('message_stop');
  });

  it("an exception event after content is the client's in-stream error with the status it stands for", () => {
    const t = createStreamTranslator('bedrock-converse', 'openai-chat', ctx({ stream: true }));
    let out = t.push('event: messageStart\ndata: {"role":"assistant"}\n\nevent: contentBlockDelta\ndata: {"contentBlockIndex":0,"delta":{"text":"Hi"}}\n\n');
    out += t.push('event: throttlingException\ndata: {"message":"Too many tokens, please wait before trying again."}\n\n') + t.end();
    expect(t.upstreamError).toEqual({ status: 429, message: 'Too many tokens, please wait before trying again.' });
    expect(out).toContain('"message":"Too many tokens, please wait before trying again."');
    expect(out).toContain('"type":"rate_limit_error"');
  });
});
