import { inboundCallOf, type InboundCall } from './inbound';

const call = (protocol: Parameters<typeof inboundCallOf>[0], json: unknown) =>
  inboundCallOf(protocol, { raw: Buffer.from(JSON.stringify(json)), json }) as InboundCall;

describe('inboundCallOf', () => {
  it('streams generations that ask for it, never embeddings (edge fuzz seed 1200378736 got a 500 for stream:true on /v1/embeddings)', () => {
    expect(call('openai-chat', { model: 'm', messages: [], stream: true })).toMatchObject({ operation: 'generate', stream: true });
    expect(call('openai-embeddings', { model: 'e', input: ['a'], stream: true })).toMatchObject({ operation: 'embed', stream: false });
    expect(call('openai-chat', { model: 'm', messages: [] }).stream).toBe(false);
  });
});
