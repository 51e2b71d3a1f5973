import { MAX_USAGE_TOKENS } from '../protocol.types';
import { createStreamTranslator } from '../conversion/stream-translator';
import { tokenCount } from '../core/usage.map';
import { extractUsage } from './usage.extractor';

const MAX = MAX_USAGE_TOKENS;

/** What upstreams have been seen to send as token counts, and what a usage record may hold of each. */
const HOSTILE: [unknown, number][] = [
  [12, 12],
  [0, 0],
  [1.5, 2],
  [2.4, 2],
  [-3, 0],
  [-0.5, 0],
  [1e30, MAX],
  [Number.MAX_VALUE, MAX],
  [Infinity, MAX],
  [-Infinity, 0],
  [NaN, 0],
  [MAX + 1, MAX],
  [MAX, MAX],
  ['12', 12],
  [' 7 ', 7],
  ['1e30', MAX],
  ['abc', 0],
  ['', 0],
  [null, 0],
  [undefined, 0],
  [true, 0],
  [{}, 0],
  [[5], 0],
];

describe('usage counts from upstreams are sanitised at extraction', () => {
  it.each(HOSTILE)('tokenCount(%p) = %p', (input, want) => {
    const got = tokenCount(input);
    expect(got).toBe(want);
    expect(Number.isSafeInteger(got) && got >= 0 && got <= MAX).toBe(true);
  });

  it.each(HOSTILE)('every protocol and field: %p becomes a non-negative safe integer ≤ the maximum', (v) => {
    const all = [
      extractUsage('openai-chat', {
        usage: {
          prompt_tokens: v,
          completion_tokens: v,
          prompt_tokens_details: { cached_tokens: v, cache_write_tokens: v },
          completion_tokens_details: { reasoning_tokens: v },
        },
      }),
      extractUsage('openai-responses', {
        usage: { input_tokens: v, output_tokens: v, input_tokens_details: { cached_tokens: v }, output_tokens_details: { reasoning_tokens: v } },
      }),
      extractUsage('anthropic', { usage: { input_tokens: v, output_tokens: v, cache_read_input_tokens: v, cache_creation_input_tokens: v } }),
      extractUsage('gemini', {
        usageMetadata: {
          promptTokenCount: v,
          toolUsePromptTokenCount: v,
          candidatesTokenCount: v,
          thoughtsTokenCount: v,
          totalTokenCount: v,
          cachedContentTokenCount: v,
        },
      }),
      extractUsage('openai-embeddings', { usage: { prompt_tokens: v, total_tokens: v } }),
    ];
    for (const u of all) {
      for (const x of Object.values(u!)) expect(Number.isSafeInteger(x) && x >= 0 && x <= MAX).toBe(true);
    }
  });

  it('sums of counts (Anthropic prompt = input + cache reads + writes) stay within the maximum', () => {
    expect(
      extractUsage('anthropic', { usage: { input_tokens: MAX, cache_read_input_tokens: MAX, cache_creation_input_tokens: 5, output_tokens: 1 } })?.promptTokens,
    ).toBe(MAX);
    expect(extractUsage('gemini', { usageMetadata: { promptTokenCount: 1e30, candidatesTokenCount: 1e30, thoughtsTokenCount: 1e30 } })).toMatchObject({
      promptTokens: MAX,
      completionTokens: MAX,
    });
  });

  it('a stream translator reports sanitised usage too (pass-through and converted)', () => {
    const chunk = (u: unknown) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: u })}\n\n`;
    for (const to of ['openai-chat', 'anthropic'] as const) {
      const t = createStreamTranslator('openai-chat', to, { upstreamModel: 'm', requestedModel: 'm', stream: true, requestId: 'r' });
      t.push(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }] })}\n\n`,
      );
      t.push(chunk({ prompt_tokens: 1e30, completion_tokens: -5, prompt_tokens_details: { cached_tokens: 2.5 } }));
      t.push('data: [DONE]\n\n');
      t.end();
      expect(t.usage).toMatchObject({ promptTokens: MAX, completionTokens: 0, cacheReadTokens: 3 });
    }
  });
});
