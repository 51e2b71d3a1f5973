import { fixtureJson } from '../testing/fixtures.loader';
import {
  AUDIO_BYTES_PER_TOKEN,
  AUDIO_TOKEN_ESTIMATE,
  DOCUMENT_BYTES_PER_TOKEN,
  DOCUMENT_TOKEN_ESTIMATE,
  estimatePromptTokens,
  IMAGE_TOKEN_ESTIMATE,
  IMAGE_TOKEN_MAX,
  mediaTokens,
} from './prompt-tokens.estimator';
import { ProtocolError } from '../protocol.error';
import type { WireProtocol } from '../protocol.types';
import { isStreamRequest, MAX_OUTPUT_TOKENS, requestedMaxOutputTokens } from './request-inspect.util';
import { countTextTokens } from './token-count.util';
import { extractOutputText, extractUsage } from './usage.extractor';

describe('extractUsage (§9.9, OpenAI semantics: prompt includes cached)', () => {
  it('per protocol', () => {
    expect(extractUsage('openai-chat', fixtureJson('openai-chat/response-tool-calls.json'))).toEqual({
      promptTokens: 90,
      completionTokens: 30,
      cacheReadTokens: 40,
      cacheWriteTokens: 10,
      reasoningTokens: 5,
    });
    expect(extractUsage('anthropic', fixtureJson('anthropic/response-tool-use.json'))).toEqual({
      promptTokens: 1150,
      completionTokens: 40,
      cacheReadTokens: 1000,
      cacheWriteTokens: 50,
      reasoningTokens: 10,
    });
    expect(extractUsage('gemini', fixtureJson('gemini/response-text.json'))).toEqual({
      promptTokens: 9,
      completionTokens: 208,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 185,
    });
    expect(extractUsage('openai-responses', fixtureJson('openai-responses/response-function-call.json'))).toEqual({
      promptTokens: 60,
      completionTokens: 25,
      cacheReadTokens: 32,
      cacheWriteTokens: 0,
      reasoningTokens: 9,
    });
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
    const withImage = estimatePromptTokens('openai-chat', {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hello world' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,' + 'A'.repeat(100000) } },
          ],
        },
      ],
    });
    expect(withImage).toBe(plain + IMAGE_TOKEN_ESTIMATE);
    expect(
      estimatePromptTokens('openai-chat', { ...base, tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] }),
    ).toBeGreaterThan(plain);
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
    expect(requestedMaxOutputTokens('openai-completions', { max_tokens: 9 })).toBe(9);
    expect(requestedMaxOutputTokens('openai-completions', {})).toBe(16); // OpenAI's default: reserved as such
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

describe('estimatePromptTokens: inline media by decoded size', () => {
  const b64 = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');
  const MB = 1024 * 1024;
  const text = (protocol: 'openai-chat') =>
    estimatePromptTokens(protocol, { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'read this' }] }] });
  const base = text('openai-chat');

  it.each([
    ['image/png', 2_000, IMAGE_TOKEN_ESTIMATE],
    ['image/jpeg', 750 * 1000, 1000],
    ['image/png', 20 * MB, IMAGE_TOKEN_MAX],
    ['audio/mpeg', 1 * MB, Math.ceil(MB / AUDIO_BYTES_PER_TOKEN)],
    ['video/mp4', 4_000, AUDIO_TOKEN_ESTIMATE],
    ['application/pdf', 10_000, DOCUMENT_TOKEN_ESTIMATE],
    ['application/pdf', 5 * MB, Math.ceil((5 * MB) / DOCUMENT_BYTES_PER_TOKEN)],
    ['application/octet-stream', 1 * MB, MB / 16],
  ])('%s of %i bytes → %i tokens', (type, bytes, tokens) => {
    expect(mediaTokens(type, bytes)).toBe(tokens);
  });

  it('a 5 MB PDF is counted by its size in every protocol that carries it inline', () => {
    const data = b64(5 * MB);
    const expected = Math.ceil((5 * MB) / DOCUMENT_BYTES_PER_TOKEN);
    const chat = estimatePromptTokens('openai-chat', {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'read this' },
            { type: 'file', file: { file_data: `data:application/pdf;base64,${data}`, filename: 'a.pdf' } },
          ],
        },
      ],
    });
    expect(chat).toBe(base + expected);
    const anthropic = estimatePromptTokens('anthropic', {
      model: 'm',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'read this' },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data } },
          ],
        },
      ],
    });
    expect(anthropic).toBeGreaterThanOrEqual(expected);
    const gemini = estimatePromptTokens('gemini', {
      contents: [{ role: 'user', parts: [{ text: 'read this' }, { inlineData: { mimeType: 'application/pdf', data } }] }],
    });
    expect(gemini).toBeGreaterThanOrEqual(expected);
    const responses = estimatePromptTokens('openai-responses', {
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'read this' },
            { type: 'input_file', file_data: `data:application/pdf;base64,${data}`, filename: 'a.pdf' },
          ],
        },
      ],
    });
    expect(responses).toBeGreaterThanOrEqual(expected);
  });

  it('images and audio by size, a remote URL at the fixed estimate', () => {
    const img = (url: string) =>
      estimatePromptTokens('openai-chat', {
        model: 'm',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'read this' },
              { type: 'image_url', image_url: { url } },
            ],
          },
        ],
      });
    expect(img(`data:image/jpeg;base64,${b64(3 * MB)}`)).toBe(base + IMAGE_TOKEN_MAX);
    expect(img('https://example.com/cat.jpg')).toBe(base + IMAGE_TOKEN_ESTIMATE);
    const audio = estimatePromptTokens('openai-chat', {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'read this' },
            { type: 'input_audio', input_audio: { data: b64(2 * MB), format: 'mp3' } },
          ],
        },
      ],
    });
    expect(audio).toBe(base + Math.ceil((2 * MB) / AUDIO_BYTES_PER_TOKEN));
  });
});
