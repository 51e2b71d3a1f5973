import { readHandshake } from './realtime-handshake';

describe('Realtime handshake', () => {
  it('the SDK: Authorization header, model in the query', () => {
    const h = readHandshake('/v1/realtime?model=gpt-realtime', { authorization: 'Bearer sk-1' });
    expect(h).toEqual({ model: 'gpt-realtime', keyCarriers: { headers: { authorization: 'Bearer sk-1' }, query: {} }, beta: null });
  });

  it('a browser: the key as a subprotocol becomes a Bearer header; the beta subprotocol asks for OpenAI-Beta', () => {
    const h = readHandshake('/v1/realtime?model=m', { 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.sk-2, openai-beta.realtime-v1' });
    expect(h?.keyCarriers.headers.authorization).toBe('Bearer sk-2');
    expect(h?.beta).toBe('realtime=v1');
  });

  it('a header key wins over a subprotocol key', () => {
    const h = readHandshake('/v1/realtime?model=m', { 'api-key': 'az', 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.other' });
    expect(h?.keyCarriers.headers.authorization).toBeUndefined();
    expect(h?.keyCarriers.headers['api-key']).toBe('az');
  });

  it('Azure styles: deployment in the query, or the v1 path with model', () => {
    expect(readHandshake('/openai/realtime?api-version=2025-04-01-preview&deployment=dep', {})?.model).toBe('dep');
    expect(readHandshake('/openai/v1/realtime?model=dep2', {})?.model).toBe('dep2');
  });

  it('other paths are not Realtime; a missing model is null', () => {
    expect(readHandshake('/v1/chat/completions', {})).toBeNull();
    expect(readHandshake('/v1/realtimes?model=x', {})).toBeNull();
    expect(readHandshake('/v1/realtime', {})?.model).toBeNull();
  });
});
