import { CHANNEL_TYPES, defaultBaseUrl, providerFor } from './registry';
import { buildUpstreamCall, isUpstreamCallFailure, upstreamProtocolOf } from './upstream-call.builder';
import type { InboundRequest, UpstreamCall, UpstreamChannel } from './upstream-call.types';

const channel = (type: string, over: Partial<UpstreamChannel> = {}): UpstreamChannel => ({
  id: 7,
  type,
  baseUrl: defaultBaseUrl(type) ?? 'http://rerank.local:8000',
  modelMapping: {},
  paramOverride: {},
  headers: {},
  statusCodeMapping: {},
  ...over,
});
const body = { model: 'rr', query: 'capital of France', documents: ['Paris is the capital', { text: 'Berlin' }], top_n: 1, return_documents: true };
const rerank: InboundRequest = {
  protocol: 'rerank',
  operation: 'rerank',
  endpoint: 'rerank',
  model: 'rr',
  stream: false,
  body,
  raw: Buffer.from(JSON.stringify(body)),
};
const built = (c: UpstreamChannel): UpstreamCall => {
  const r = buildUpstreamCall(c, 'sk-x', rerank, 'rr', 'req_1');
  if (isUpstreamCallFailure(r)) throw new Error(r.message);
  return r;
};

describe('rerank channels (cohere, jina, voyage, OpenAI-compatible with a declared endpoint)', () => {
  it('are channel types with their vendors’ default origins', () => {
    expect(CHANNEL_TYPES).toEqual(expect.arrayContaining(['cohere', 'jina', 'voyage']));
    expect(['cohere', 'jina', 'voyage'].map((t) => defaultBaseUrl(t))).toEqual(['https://api.cohere.com', 'https://api.jina.ai', 'https://api.voyageai.com']);
  });

  it('Cohere: /v2/rerank in its v2 dialect (string documents, no return_documents), Bearer; chat and embeddings in Cohere’s v2, no other family', () => {
    const r = built(channel('cohere'));
    expect([r.url, r.headers.authorization, r.upstreamProtocol]).toEqual(['https://api.cohere.com/v2/rerank', 'Bearer sk-x', 'cohere-rerank']);
    expect(JSON.parse(String(r.body))).toEqual({ model: 'rr', query: 'capital of France', documents: ['Paris is the capital', 'Berlin'], top_n: 1 });
    expect(built(channel('cohere', { baseUrl: 'https://api.cohere.com/v2/' })).url).toBe('https://api.cohere.com/v2/rerank');
    expect(providerFor('cohere')!.protocolFor('m', 'generate', 'openai-chat')).toBe('cohere-chat');
    expect(providerFor('cohere')!.protocolFor('m', 'embed', 'openai-embeddings')).toBe('cohere-embed');
    for (const op of ['moderate', 'image.generate'] as const) expect(providerFor('cohere')!.protocolFor('m', op, 'openai-chat')).toBeNull();
  });

  it('Jina: /v1/rerank in the client’s shape, Bearer; embeddings at /v1/embeddings', () => {
    const r = built(channel('jina'));
    expect([r.url, r.headers.authorization, r.upstreamProtocol]).toEqual(['https://api.jina.ai/v1/rerank', 'Bearer sk-x', 'rerank']);
    // its embeddings are OpenAI-shaped; chat it has none
    const jina = providerFor('jina')!;
    expect([jina.protocolFor('m', 'embed', 'openai-embeddings'), jina.protocolFor('m', 'generate', 'openai-chat')]).toEqual(['openai-embeddings', null]);
    expect(
      jina.target({ baseUrl: 'https://api.jina.ai/v1', apiKey: 'k', model: 'm', protocol: 'openai-embeddings', stream: false, operation: 'embed' }).url,
    ).toBe('https://api.jina.ai/v1/embeddings');
  });

  it('Voyage: /v1/rerank in its dialect (top_k, string documents)', () => {
    const r = built(channel('voyage', { modelMapping: { rr: 'rerank-2.5' } }));
    expect([r.url, r.headers.authorization, r.upstreamProtocol]).toEqual(['https://api.voyageai.com/v1/rerank', 'Bearer sk-x', 'voyage-rerank']);
    expect(JSON.parse(String(r.body))).toEqual({
      model: 'rerank-2.5',
      query: 'capital of France',
      documents: ['Paris is the capital', 'Berlin'],
      top_k: 1,
      return_documents: true,
    });
  });

  it('an OpenAI or OpenAI-compatible channel serves rerank only when it declares it', () => {
    for (const type of ['openai', 'openai-compatible', 'vllm']) {
      expect([type, upstreamProtocolOf(channel(type), rerank, 'rr')]).toEqual([type, null]);
      expect([type, upstreamProtocolOf(channel(type, { endpoints: ['images.generations'] }), rerank, 'rr')]).toEqual([type, null]);
      expect([type, upstreamProtocolOf(channel(type, { endpoints: ['rerank'] }), rerank, 'rr')]).toEqual([type, 'rerank']);
    }
    const r = buildUpstreamCall(channel('openai'), 'k', rerank, 'rr', 'r');
    expect(isUpstreamCallFailure(r) && r.failure).toBe('unsupported');
    expect(built(channel('vllm', { baseUrl: 'http://gpu:8000/v1', endpoints: ['rerank'] })).url).toBe('http://gpu:8000/v1/rerank');
  });

  it('a rerank channel that declares endpoints without rerank does not serve it', () => {
    expect(upstreamProtocolOf(channel('jina', { endpoints: ['embeddings'] }), rerank, 'rr')).toBeNull();
    expect(upstreamProtocolOf(channel('jina', { endpoints: ['rerank'] }), rerank, 'rr')).toBe('rerank');
  });
});
