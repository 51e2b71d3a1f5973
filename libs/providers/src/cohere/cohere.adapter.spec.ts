import { buildUpstreamCall, isUpstreamCallFailure } from '../upstream-call.builder';
import type { InboundRequest, UpstreamChannel } from '../upstream-call.types';

const channel = (over: Partial<UpstreamChannel> = {}): UpstreamChannel => ({
  id: 3,
  type: 'cohere',
  baseUrl: 'https://api.cohere.com',
  modelMapping: { cmd: 'command-a-03-2025' },
  paramOverride: {},
  headers: {},
  statusCodeMapping: {},
  ...over,
});

const chat = (stream: boolean): InboundRequest => {
  const body = { model: 'cmd', stream, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 20 };
  return { protocol: 'openai-chat', operation: 'generate', endpoint: 'chat.completions', model: 'cmd', stream, body, raw: Buffer.from(JSON.stringify(body)) };
};

describe('cohere channels: chat', () => {
  it('an OpenAI chat goes to /v2/chat as Cohere’s body (mapped model, stream flag), Bearer key', () => {
    for (const base of ['https://api.cohere.com', 'https://api.cohere.com/v2/', 'https://api.cohere.com/v1']) {
      const r = buildUpstreamCall(channel({ baseUrl: base }), 'co-key', chat(true), 'cmd', 'req_1');
      if (isUpstreamCallFailure(r)) throw new Error(r.message);
      expect([r.url, r.headers.authorization, r.upstreamProtocol]).toEqual(['https://api.cohere.com/v2/chat', 'Bearer co-key', 'cohere-chat']);
      expect(JSON.parse(String(r.body))).toEqual({ model: 'command-a-03-2025', stream: true, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 20 });
    }
    const plain = buildUpstreamCall(channel(), 'co-key', chat(false), 'cmd', 'req_2');
    if (isUpstreamCallFailure(plain)) throw new Error(plain.message);
    expect(JSON.parse(String(plain.body)).stream).toBeUndefined();
  });
});
