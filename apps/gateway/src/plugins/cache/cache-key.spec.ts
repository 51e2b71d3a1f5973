import { cacheKeyOf, normalisedRequest } from './cache-key';

const call = (body: Record<string, unknown>, over: Partial<Parameters<typeof cacheKeyOf>[0]> = {}) => ({
  protocol: 'openai-chat' as const,
  endpoint: 'chat.completions',
  model: 'gpt-4o-mini',
  stream: false,
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...body },
  ...over,
});

describe('cache key', () => {
  it('is the same for the same request in another key order, at every depth', () => {
    const a = cacheKeyOf(call({ temperature: 0.2, messages: [{ role: 'user', content: 'hi' }] }), 'default');
    const b = cacheKeyOf({ ...call({}), body: { temperature: 0.2, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o-mini' } }, 'default');
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves out the fields that do not change the answer', () => {
    const plain = cacheKeyOf(call({}), 'default');
    for (const [field, value] of Object.entries({
      user: 'u-1',
      metadata: { trace: 'x' },
      safety_identifier: 'hash',
      store: true,
      service_tier: 'flex',
      prompt_cache_key: 'k',
      prompt_cache_retention: '24h',
      stream: false,
    })) {
      expect([field, cacheKeyOf(call({ [field]: value }), 'default')]).toEqual([field, plain]);
    }
  });

  it('keeps what changes the answer: messages, sampling, model, protocol, endpoint, stream, stream_options and group', () => {
    const keys = [
      cacheKeyOf(call({}), 'default'),
      cacheKeyOf(call({ messages: [{ role: 'user', content: 'hi!' }] }), 'default'),
      cacheKeyOf(call({ temperature: 0.7 }), 'default'),
      cacheKeyOf(call({ seed: 1 }), 'default'),
      cacheKeyOf(call({}, { model: 'gpt-4o' }), 'default'),
      cacheKeyOf(call({}, { protocol: 'openai-responses' }), 'default'),
      cacheKeyOf(call({}, { endpoint: 'responses' }), 'default'),
      cacheKeyOf(call({}, { stream: true }), 'default'),
      cacheKeyOf(call({ stream_options: { include_usage: true } }, { stream: true }), 'default'),
      cacheKeyOf(call({}), 'vip'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps the client headers the protocol forwards upstream (anthropic-beta), no others', () => {
    const anthropic = call({ max_tokens: 10 }, { protocol: 'anthropic', endpoint: 'messages' });
    const plain = cacheKeyOf(anthropic, 'default', { 'anthropic-version': '2023-06-01' });
    expect(cacheKeyOf(anthropic, 'default', { 'anthropic-version': '2023-06-01', 'x-trace': '1' })).toBe(plain);
    expect(cacheKeyOf(anthropic, 'default', { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'feature-1' })).not.toBe(plain);
    expect(cacheKeyOf(call({}), 'default', { 'anthropic-beta': 'feature-1' })).toBe(cacheKeyOf(call({}), 'default'));
  });

  it('only top-level fields are left out: a nested `user` is part of the prompt', () => {
    expect(normalisedRequest(call({ tools: [{ user: 'x' }] }), 'g')).toContain('"user":"x"');
    expect(normalisedRequest(call({ user: 'x' }), 'g')).not.toContain('"user":');
  });
});
