import { fixtureJson } from '../testing/fixtures.loader';
import { estimatePromptTokens, IMAGE_TOKEN_ESTIMATE } from './prompt-tokens.estimator';
import { ProtocolError } from '../protocol.error';
import type { WireProtocol } from '../protocol.types';
import { isStreamRequest, MAX_OUTPUT_TOKENS, requestedMaxOutputTokens } from './request-inspect.util';
import { countTextTokens } from './token-count.util';
import { extractOutputText, extractUsage } from './usage.extractor';

describe('extractUsage (§9.9, OpenAI semantics: prompt includes cached)', () => {
  it('per protocol', () => {
    expect(extractUsage('openai-chat', fixtureJson('openai-chat/response-tool-calls.json'))).toEqual({ promptTokens: 90, completionTokens: 30, cacheReadTokens: 40, cacheWriteTokens: 10, reasoningTokens: 5 });
    expect(extractUsage('anthropic', fixtureJson('anthropic/response-tool-use.json'))).toEqual({ promptTokens: 1150, completionTokens: 40, cacheReadTokens: 1000, cacheWriteTokens: 50, reasoningTokens: 10 });
    expect(extractUsage('gemini', fixtureJson('gemini/response-text.json'))).toEqual({ promptTokens: 9, completionTokens: 208, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 185 });
    expect(extractUsage('openai-responses', fixtureJson('openai-responses/response-function-call.json'))).toEqual({ promptTokens: 60, completionTokens: 25, cacheReadTokens: 32, cacheWriteTokens: 0, reasoningTokens: 9 });
    expect(extractUsage('openai-chat', { choices: [] })).toBeNull();
  });
  it('Gemini: completion ≤ 0 but total > prompt → total − prompt', () => {
    expect(extractUsage('gemini', { usageMetadata: { promptTokenCount: 10, totalTokenCount: 25 } })?.completionTokens).toBe(15);
  });
});

describe('extractOutputText', () => {
  it('text, reasoning and tool-call arguments', () => {
    expect(extractOutputText('anthropic', fixtureJson('anthropic/response-tool-use.json'))).toBe('Need weather.I\'ll check.get_weather{"city":"Paris"}');
    expect(extractOutputText('gemini', fixtureJson('gemini/response-text.json'))).toBe('There are **3** "r"s in strawberry.');
    expect(extractOutputText('openai-chat', { nonsense: true })).toBe('');
  });
});

describe('estimatePromptTokens: real o200k tokenizer + overhead', () => {
  it('counts text, system and tools; images are a fixed estimate', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'hello world' }] };
    const plain = estimatePromptTokens('openai-chat', base);
    expect(plain).toBe(3 + 4 + countTextTokens('hello world'));
    const withImage = estimatePromptTokens('openai-chat', { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hello world' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,' + 'A'.repeat(100000) } }] }] });
    expect(withImage).toBe(plain + IMAGE_TOKEN_ESTIMATE);
    expect(estimatePromptTokens('openai-chat', { ...base, tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] })).toBeGreaterThan(plain);
  });
  it('the same conversation costs about the same in every protocol', () => {
    const chat = estimatePromptTokens('openai-chat', fixtureJson('openai-chat/request-full.json'));
    expect(chat).toBeGreaterThan(50);
    for (const p of ['anthropic', 'gemini', 'openai-responses'] as const) {
      expect(estimatePromptTokens(p, fixtureJson(`${p}/request-full.json`))).toBeGreaterThan(10);
    }
  });
  it('never throws on garbage and stays fast on huge base64 text', () => {
    expect(estimatePromptTokens('anthropic', { messages: 'nope' })).toBeGreaterThanOrEqual(0);
    const t0 = Date.now();
    estimatePromptTokens('openai-chat', { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(2_000_000) }] });
    expect(Date.now() - t0).toBeLessThan(3000);
  });
  it('special-token text does not throw', () => {
    expect(countTextTokens('hi <|endoftext|> there')).toBeGreaterThan(3);
  });
});

describe('request inspection', () => {
  it('requestedMaxOutputTokens per protocol', () => {
    expect(requestedMaxOutputTokens('openai-chat', { max_tokens: 5, max_completion_tokens: 7 })).toBe(7);
    expect(requestedMaxOutputTokens('openai-chat', { max_tokens: 5 })).toBe(5);
    expect(requestedMaxOutputTokens('openai-responses', { max_output_tokens: 9 })).toBe(9);
    expect(requestedMaxOutputTokens('anthropic', { max_tokens: 11 })).toBe(11);
    expect(requestedMaxOutputTokens('gemini', { generationConfig: { maxOutputTokens: 13 } })).toBe(13);
    expect(requestedMaxOutputTokens('gemini', { generation_config: { max_output_tokens: 17 } })).toBe(17);
    expect(requestedMaxOutputTokens('openai-chat', {})).toBeNull();
    expect(requestedMaxOutputTokens('openai-embeddings', { input: 'x' })).toBeNull();
    expect(requestedMaxOutputTokens('anthropic', { max_tokens: null })).toBeNull();
    expect(requestedMaxOutputTokens('anthropic', { max_tokens: MAX_OUTPUT_TOKENS })).toBe(MAX_OUTPUT_TOKENS);
  });
  it('requestedMaxOutputTokens refuses fractional, negative, huge and non-numeric budgets with a 400 naming the parameter', () => {
    const cases: [WireProtocol, Record<string, unknown>, string][] = [
      ['openai-chat', { max_tokens: 3.14159 }, 'max_tokens'],
      ['openai-chat', { max_completion_tokens: -1 }, 'max_completion_tokens'],
      // a valid one beside a bad one does not hide it
      ['openai-chat', { max_completion_tokens: 5, max_tokens: 1e300 }, 'max_tokens'],
      ['openai-responses', { max_output_tokens: '100' }, 'max_output_tokens'],
      ['anthropic', { max_tokens: 1e300 }, 'max_tokens'],
      ['anthropic', { max_tokens: 0 }, 'max_tokens'],
      ['anthropic', { max_tokens: MAX_OUTPUT_TOKENS + 1 }, 'max_tokens'],
      ['anthropic', { max_tokens: [1] }, 'max_tokens'],
      ['gemini', { generationConfig: { maxOutputTokens: 2.5 } }, 'generationConfig.maxOutputTokens'],
      ['gemini', { generation_config: { max_output_tokens: -3 } }, 'generationConfig.maxOutputTokens'],
      ['gemini', { generationConfig: 'fast' }, 'generationConfig'],
    ];
    for (const [protocol, body, param] of cases) {
      let thrown: unknown;
      try {
        requestedMaxOutputTokens(protocol, body);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ProtocolError);
      expect(thrown).toMatchObject({ status: 400, param });
      expect((thrown as Error).message).toContain(param);
    }
  });
  it('isStreamRequest (Gemini decides by path)', () => {
    expect(isStreamRequest('openai-chat', { stream: true })).toBe(true);
    expect(isStreamRequest('anthropic', { stream: false })).toBe(false);
    expect(isStreamRequest('openai-responses', { stream: true })).toBe(true);
    expect(isStreamRequest('gemini', { stream: true })).toBe(false);
  });
});
