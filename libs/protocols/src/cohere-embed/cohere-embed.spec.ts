import { extractUsage } from '../accounting/usage.extractor';
import { convertRequest } from '../conversion/convert-request';
import { convertResponse } from '../conversion/convert-response';
import { base64ToFloats } from '../openai-embeddings/embedding-vector.util';
import type { ConvertContext } from '../protocol.types';

const ctx = (clientBody: Record<string, unknown>): ConvertContext => ({
  upstreamModel: 'embed-v4.0',
  requestedModel: 'embed',
  stream: false,
  requestId: 'req_1',
  clientBody,
});

const COHERE = {
  id: 'da6e531f-54c6-4a73-bf92-f60566d8d753',
  embeddings: {
    float: [
      [0.5, -0.25, 0.125],
      [0.75, 0.0625, -1],
    ],
  },
  texts: ['hello', 'world wide'],
  meta: { api_version: { version: '2' }, billed_units: { input_tokens: 3 } },
  response_type: 'embeddings_by_type',
};

describe('cohere-embed (OpenAI Embeddings clients)', () => {
  it('texts, a document input_type, float vectors, dimensions as output_dimension', () => {
    const body = { model: 'embed', input: ['hello', 'world wide'], dimensions: 256, encoding_format: 'base64' };
    expect(convertRequest('openai-embeddings', 'cohere-embed', body, ctx(body))).toEqual({
      model: 'embed-v4.0',
      texts: ['hello', 'world wide'],
      input_type: 'search_document',
      embedding_types: ['float'],
      output_dimension: 256,
    });
    expect(convertRequest('openai-embeddings', 'cohere-embed', { model: 'embed', input: 'one' }, ctx({})).texts).toEqual(['one']);
    expect(() => convertRequest('openai-embeddings', 'cohere-embed', { model: 'embed', input: [[1, 2]] }, ctx({}))).toThrow(/Token-array/);
  });

  it('answers OpenAI’s list in the encoding the client asked for, billed input tokens as usage', () => {
    const floats = convertResponse('cohere-embed', 'openai-embeddings', COHERE, ctx({ encoding_format: 'float' })) as Record<string, any>;
    expect(floats).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -0.25, 0.125] },
        { object: 'embedding', index: 1, embedding: [0.75, 0.0625, -1] },
      ],
      model: 'embed',
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    const packed = convertResponse('cohere-embed', 'openai-embeddings', COHERE, ctx({ encoding_format: 'base64' })) as Record<string, any>;
    expect(base64ToFloats(packed.data[1].embedding as string)).toEqual([0.75, 0.0625, -1]);
    expect(extractUsage('cohere-embed', COHERE)?.promptTokens).toBe(3);
  });
});
