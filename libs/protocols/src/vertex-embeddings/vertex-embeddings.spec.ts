import { extractUsage } from '../accounting/usage.extractor';
import { convertRequest } from '../conversion/convert-request';
import { convertResponse } from '../conversion/convert-response';
import { base64ToFloats } from '../openai-embeddings/embedding-vector.util';
import { ProtocolError } from '../protocol.error';
import type { ConvertContext } from '../protocol.types';
import { vertexEmbeddingVerb } from './vertex-embeddings.converter';

const ctx = (upstreamModel: string, clientBody?: Record<string, unknown>): ConvertContext => ({
  upstreamModel,
  requestedModel: 'embed',
  stream: false,
  requestId: 'r',
  ...(clientBody ? { clientBody } : {}),
});

// Vertex's :predict answer (reference §2.4)
const predicted = {
  predictions: [
    { embeddings: { values: [0.25, -0.5], statistics: { token_count: 2, truncated: false } } },
    { embeddings: { values: [1, 0.125], statistics: { token_count: 3, truncated: false } } },
  ],
  metadata: { billableCharacterCount: 12 },
};

describe('Vertex embeddings dialect', () => {
  it('picks :predict for text-embedding-* and gemini-embedding-001, :embedContent for newer Gemini models (js-genai rule)', () => {
    expect(['text-embedding-005', 'text-multilingual-embedding-002', 'gemini-embedding-001', 'gemini-embedding-2-preview'].map(vertexEmbeddingVerb)).toEqual([
      'predict',
      'predict',
      'predict',
      'embedContent',
    ]);
  });

  it('OpenAI input → instances with content, dimensions → parameters.outputDimensionality', () => {
    expect(
      convertRequest('openai-embeddings', 'vertex-embeddings', { model: 'e', input: ['hello', 'world'], dimensions: 256 }, ctx('text-embedding-005')),
    ).toEqual({
      instances: [{ content: 'hello' }, { content: 'world' }],
      parameters: { outputDimensionality: 256 },
    });
    expect(convertRequest('openai-embeddings', 'vertex-embeddings', { model: 'e', input: 'hi' }, ctx('gemini-embedding-2-preview'))).toEqual({
      content: { role: 'user', parts: [{ text: 'hi' }] },
    });
  });

  it('an :embedContent model takes one input: several are a 400 naming input; token arrays too', () => {
    expect(() => convertRequest('openai-embeddings', 'vertex-embeddings', { model: 'e', input: ['a', 'b'] }, ctx('gemini-embedding-2-preview'))).toThrow(
      expect.objectContaining({ status: 400, param: 'input' }) as ProtocolError,
    );
    expect(() => convertRequest('openai-embeddings', 'vertex-embeddings', { model: 'e', input: [[1, 2]] }, ctx('text-embedding-005'))).toThrow(ProtocolError);
  });

  it('Gemini batchEmbedContents and embedContent → instances with task_type and title kept', () => {
    const batch = {
      requests: [
        { model: 'models/x', content: { parts: [{ text: 'doc one' }] }, taskType: 'RETRIEVAL_DOCUMENT', title: 'T', outputDimensionality: 8 },
        { model: 'models/x', content: { parts: [{ text: 'doc two' }] } },
      ],
    };
    expect(convertRequest('gemini', 'vertex-embeddings', batch, ctx('text-embedding-005'))).toEqual({
      instances: [{ content: 'doc one', task_type: 'RETRIEVAL_DOCUMENT', title: 'T' }, { content: 'doc two' }],
      parameters: { outputDimensionality: 8 },
    });
    const single = { content: { parts: [{ text: 'q' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 4 };
    expect(convertRequest('gemini', 'vertex-embeddings', single, ctx('gemini-embedding-2-preview'))).toEqual({
      content: { role: 'user', parts: [{ text: 'q' }] },
      embedContentConfig: { taskType: 'RETRIEVAL_QUERY', outputDimensionality: 4 },
    });
  });

  it('answers: OpenAI list (float or base64) with the token counts Vertex reports; Gemini batch or single', () => {
    const openai = convertResponse(
      'vertex-embeddings',
      'openai-embeddings',
      predicted,
      ctx('text-embedding-005', { input: ['a', 'b'], encoding_format: 'float' }),
    );
    expect(openai).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.25, -0.5] },
        { object: 'embedding', index: 1, embedding: [1, 0.125] },
      ],
      model: 'embed',
      usage: { prompt_tokens: 5, total_tokens: 5 },
    });
    const b64 = convertResponse(
      'vertex-embeddings',
      'openai-embeddings',
      predicted,
      ctx('text-embedding-005', { input: ['a', 'b'], encoding_format: 'base64' }),
    );
    expect(base64ToFloats((b64.data as { embedding: string }[])[1].embedding)).toEqual([1, 0.125]);
    expect(convertResponse('vertex-embeddings', 'gemini', predicted, ctx('m', { requests: [] }))).toEqual({
      embeddings: [{ values: [0.25, -0.5] }, { values: [1, 0.125] }],
    });
    const embedded = { embedding: { values: [0.5] }, usageMetadata: { promptTokenCount: 7 }, truncated: false };
    expect(convertResponse('vertex-embeddings', 'gemini', embedded, ctx('m', { content: { parts: [{ text: 'q' }] } }))).toEqual({
      embedding: { values: [0.5] },
    });
  });

  it('usage for billing: the summed token_count of :predict, promptTokenCount of :embedContent; none when not reported', () => {
    expect(extractUsage('vertex-embeddings', predicted)).toMatchObject({ promptTokens: 5, completionTokens: 0 });
    expect(extractUsage('vertex-embeddings', { embedding: { values: [] }, usageMetadata: { promptTokenCount: 7 } })).toMatchObject({ promptTokens: 7 });
    expect(extractUsage('vertex-embeddings', { predictions: [{ embeddings: { values: [1] } }] })).toBeNull();
  });
});
