import { CreateChannel, ENDPOINT_FAMILIES, UpdateChannel } from './router-admin.schemas';

describe('a channel’s declared endpoints', () => {
  const base = { name: 'rr', type: 'openai-compatible', baseUrl: 'http://gpu:8000', keys: ['k'], models: ['bge-reranker'] };

  it('are the families beyond chat and embeddings, Realtime included', () => {
    expect(ENDPOINT_FAMILIES).toEqual(expect.arrayContaining(['rerank', 'images.generations', 'audio.speech', 'moderations', 'completions', 'realtime']));
    for (const chat of ['chat.completions', 'responses', 'messages', 'embeddings']) expect(ENDPOINT_FAMILIES).not.toContain(chat);
  });

  it('default to null (the type’s defaults) and accept known families once each', () => {
    expect(CreateChannel.parse(base).endpoints).toBeNull();
    expect(CreateChannel.parse({ ...base, endpoints: ['rerank', 'moderations'] }).endpoints).toEqual(['rerank', 'moderations']);
    expect(UpdateChannel.parse({ endpoints: null }).endpoints).toBeNull();
  });

  it.each([[['chat.completions']], [['rerank', 'rerank']], [['bogus']], ['rerank']])('refuse %j', (endpoints) => {
    const r = CreateChannel.safeParse({ ...base, endpoints });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path[0]).toBe('endpoints');
  });
});
