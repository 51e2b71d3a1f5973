import { convertRequest } from '../conversion/convert-request';
import { convertResponse } from '../conversion/convert-response';
import { extractUsage } from '../accounting/usage.extractor';
import { estimatePromptTokens } from '../accounting/prompt-tokens.estimator';
import { countTextTokens } from '../accounting/token-count.util';
import { ProtocolError } from '../protocol.error';
import type { ConvertContext } from '../protocol.types';
import { fixtureJson } from '../testing/fixtures.loader';
import { base64ToFloats, floatsToBase64 } from './embedding-vector.util';

type Obj = Record<string, any>; // test-only deep access

function ctx(clientBody?: Record<string, unknown>, upstreamModel = 'gemini-embedding-001'): ConvertContext {
  return { upstreamModel, requestedModel: 'text-embedding-3-small', stream: false, requestId: 'r', ...(clientBody ? { clientBody } : {}) };
}

describe('embeddings: OpenAI client ↔ Gemini upstream', () => {
  const openaiReq = fixtureJson('embeddings/openai-request.json');

  it('request → batchEmbedContents with models/ prefix and outputDimensionality', () => {
    expect(convertRequest('openai-embeddings', 'gemini', openaiReq, ctx())).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello world' }] }, outputDimensionality: 3 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'goodbye' }] }, outputDimensionality: 3 },
      ],
    });
  });
  it('token-array input cannot go to Gemini: 400', () => {
    expect(() => convertRequest('openai-embeddings', 'gemini', { model: 'm', input: [[1, 2, 3]] }, ctx())).toThrow(ProtocolError);
  });
  it('response floats → base64 when the client asked base64 (openai-node default)', () => {
    const out = convertResponse('gemini', 'openai-embeddings', fixtureJson('embeddings/gemini-batch-response.json'), ctx(openaiReq)) as Obj;
    expect(out.object).toBe('list');
    expect(out.model).toBe('text-embedding-3-small');
    expect(out.data.map((d: Obj) => d.index)).toEqual([0, 1]);
    expect(base64ToFloats(out.data[1].embedding)).toEqual([0.25, -0.5, 1]);
    expect(out.usage.prompt_tokens).toBe(out.usage.total_tokens);
  });
  it('response stays floats when the client asked float', () => {
    const out = convertResponse(
      'gemini',
      'openai-embeddings',
      fixtureJson('embeddings/gemini-embed-response.json'),
      ctx({ ...openaiReq, encoding_format: 'float' }),
    ) as Obj;
    expect(out.data[0].embedding).toEqual([0.0023, -0.0091, 0.5]);
  });
});

describe('embeddings: Gemini client ↔ OpenAI upstream', () => {
  it('batchEmbedContents request → OpenAI input array, floats requested', () => {
    expect(
      convertRequest('gemini', 'openai-embeddings', fixtureJson('embeddings/gemini-batch-request.json'), ctx(undefined, 'text-embedding-3-small')),
    ).toEqual({
      model: 'text-embedding-3-small',
      input: ['hello world', 'goodbye'],
      encoding_format: 'float',
      dimensions: 3,
    });
  });
  it('embedContent request → single string input', () => {
    expect(
      convertRequest('gemini', 'openai-embeddings', fixtureJson('embeddings/gemini-embed-request.json'), ctx(undefined, 'text-embedding-3-small')),
    ).toEqual({
      model: 'text-embedding-3-small',
      input: 'hello world',
      encoding_format: 'float',
    });
  });
  it('response → {embeddings:[{values}]} for batch clients, {embedding:{values}} for embedContent clients', () => {
    const body = fixtureJson('embeddings/openai-response-float.json');
    expect(convertResponse('openai-embeddings', 'gemini', body, ctx(fixtureJson('embeddings/gemini-batch-request.json')))).toEqual({
      embeddings: [{ values: [0.0023, -0.0091, 0.5] }, { values: [0.25, -0.5, 1] }],
    });
    expect(convertResponse('openai-embeddings', 'gemini', body, ctx(fixtureJson('embeddings/gemini-embed-request.json')))).toEqual({
      embedding: { values: [0.0023, -0.0091, 0.5] },
    });
  });
  it('a base64 OpenAI upstream answer is decoded to floats for Gemini clients', () => {
    const body = {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: floatsToBase64([0.5, -2]) }],
      model: 'm',
      usage: { prompt_tokens: 1, total_tokens: 1 },
    };
    expect(convertResponse('openai-embeddings', 'gemini', body, ctx())).toEqual({ embeddings: [{ values: [0.5, -2] }] });
  });
});

describe('embeddings: identity, accounting, bad combinations', () => {
  it('identity sets the upstream model only', () => {
    expect(convertRequest('openai-embeddings', 'openai-embeddings', { model: 'a', input: 'x' }, ctx(undefined, 'b'))).toEqual({ model: 'b', input: 'x' });
    expect(convertRequest('gemini', 'gemini', fixtureJson('embeddings/gemini-batch-request.json'), ctx(undefined, 'text-embedding-004')) as Obj).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'hello world' }] }, outputDimensionality: 3 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'goodbye' }] }, outputDimensionality: 3 },
      ],
    });
  });
  it('usage and prompt estimate', () => {
    expect(extractUsage('openai-embeddings', fixtureJson('embeddings/openai-response-float.json'))).toEqual({
      promptTokens: 4,
      completionTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect(extractUsage('gemini', fixtureJson('embeddings/gemini-batch-response.json'))).toBeNull();
    expect(estimatePromptTokens('openai-embeddings', { input: ['hello world', 'goodbye'] })).toBe(countTextTokens('hello world') + countTextTokens('goodbye'));
    expect(estimatePromptTokens('gemini', fixtureJson('embeddings/gemini-batch-request.json'))).toBeGreaterThan(0);
  });
  it('embeddings cannot be sent to a chat protocol', () => {
    expect(() => convertRequest('openai-embeddings', 'anthropic', { model: 'm', input: 'x' }, ctx())).toThrow(ProtocolError);
  });
  it('float32 base64 round trip', () => {
    expect(base64ToFloats(floatsToBase64([1, -1, 0.5]))).toEqual([1, -1, 0.5]);
  });
});
