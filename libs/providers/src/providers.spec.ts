import { aihubmixProtocolFor, OPENAI_COMPATIBLE_PRESETS, providerFor } from './index';

describe('provider adapters', () => {
  it('seed routing rules for aihubmix (SPEC §6)', () => {
    expect(aihubmixProtocolFor('claude-sonnet-4-5', 'generate')).toBe('anthropic');
    expect(aihubmixProtocolFor('gemini-2.5-flash', 'generate')).toBe('gemini');
    expect(aihubmixProtocolFor('imagen-4.0', 'generate')).toBe('gemini');
    expect(aihubmixProtocolFor('gemini-2.5-flash-nothink', 'generate')).toBe('openai-chat');
    expect(aihubmixProtocolFor('gemini-2.5-pro-search', 'generate')).toBe('openai-chat');
    expect(aihubmixProtocolFor('gemini-embedding-001', 'generate')).toBe('openai-chat');
    expect(aihubmixProtocolFor('gpt-4o-mini', 'generate')).toBe('openai-responses');
    expect(aihubmixProtocolFor('o3-mini', 'generate')).toBe('openai-responses');
    expect(aihubmixProtocolFor('gpt-oss-120b', 'generate')).toBe('openai-chat');
    expect(aihubmixProtocolFor('deepseek-chat', 'generate')).toBe('openai-chat');
  });

  it.each([
    // [model, generate, embed]: one rule for every request kind; count_tokens is answered at the edge (no upstream)
    ['gemini-embedding-001', 'openai-chat', 'openai-embeddings'],
    ['gemini-embedding-exp-03-07', 'openai-chat', 'openai-embeddings'],
    ['text-embedding-3-small', 'openai-chat', 'openai-embeddings'],
    ['gemini-2.5-flash', 'gemini', 'gemini'],
    ['gemini-2.5-flash-nothink', 'openai-chat', 'openai-embeddings'],
    ['claude-sonnet-4-5', 'anthropic', 'openai-embeddings'],
    ['gpt-4o', 'openai-responses', 'openai-embeddings'],
  ] as const)('aihubmix routes %s: generate → %s, embed → %s', (model, generate, embed) => {
    const a = providerFor('aihubmix')!;
    for (const inbound of ['openai-chat', 'anthropic', 'gemini', 'openai-responses'] as const) expect(a.protocolFor(model, 'generate', inbound)).toBe(generate);
    for (const inbound of ['openai-embeddings', 'gemini'] as const) expect(a.protocolFor(model, 'embed', inbound)).toBe(embed);
  });

  it('Responses clients reach OpenAI and Azure as Responses, every OpenAI-compatible preset through Chat Completions', () => {
    expect(providerFor('openai')!.protocolFor('gpt-4o', 'generate', 'openai-responses')).toBe('openai-responses');
    expect(providerFor('azure')!.protocolFor('gpt-4o', 'generate', 'openai-responses')).toBe('openai-responses');
    for (const type of Object.keys(OPENAI_COMPATIBLE_PRESETS)) {
      const a = providerFor(type)!;
      expect([type, a.protocolFor('m', 'generate', 'openai-responses')]).toEqual([type, 'openai-chat']);
      expect([type, a.protocolFor('m', 'embed', 'openai-embeddings')]).toEqual([type, 'openai-embeddings']);
    }
  });

  it('aihubmix addresses each sub-protocol under the right path', () => {
    const a = providerFor('aihubmix')!;
    const t = (protocol: 'anthropic' | 'gemini' | 'openai-chat' | 'openai-responses', model: string, stream = false) =>
      a.target({ baseUrl: 'https://aihubmix.com', apiKey: 'k', model, protocol, stream }).url;
    expect(t('anthropic', 'claude-x')).toBe('https://aihubmix.com/v1/messages');
    expect(t('gemini', 'gemini-2.5-flash', true)).toBe('https://aihubmix.com/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(t('openai-responses', 'gpt-4o')).toBe('https://aihubmix.com/v1/responses');
    expect(t('openai-chat', 'deepseek-chat')).toBe('https://aihubmix.com/v1/chat/completions');
  });

  it('tolerates a typed /v1 suffix and never doubles it', () => {
    const o = providerFor('openai')!;
    for (const base of ['https://api.openai.com', 'https://api.openai.com/', 'https://api.openai.com/v1', 'https://api.openai.com/v1/']) {
      expect(o.target({ baseUrl: base, apiKey: 'k', model: 'm', protocol: 'openai-chat', stream: false }).url).toBe(
        'https://api.openai.com/v1/chat/completions',
      );
    }
    expect(providerFor('zhipu')!.target({ baseUrl: 'https://open.bigmodel.cn', apiKey: 'k', model: 'm', protocol: 'openai-chat', stream: false }).url).toBe(
      'https://open.bigmodel.cn/api/paas/v4/chat/completions',
    );
    expect(
      providerFor('anthropic')!.target({ baseUrl: 'https://api.anthropic.com/v1', apiKey: 'k', model: 'm', protocol: 'anthropic', stream: true }).headers[
        'x-api-key'
      ],
    ).toBe('k');
  });

  it('Realtime: OpenAI and Azure answer it over wss with their own auth; compatible presets cannot', () => {
    const o = providerFor('openai')!;
    expect(o.protocolFor('gpt-realtime', 'realtime', 'openai-realtime')).toBe('openai-realtime');
    expect(o.target({ baseUrl: 'https://api.openai.com/v1', apiKey: 'k', model: 'gpt-realtime', protocol: 'openai-realtime', stream: true })).toEqual({
      protocol: 'openai-realtime',
      url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      headers: { authorization: 'Bearer k' },
    });
    expect(o.target({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', model: 'a b', protocol: 'openai-realtime', stream: true }).url).toBe(
      'ws://127.0.0.1:9/v1/realtime?model=a%20b',
    );
    const az = providerFor('azure')!;
    expect(az.protocolFor('my-dep', 'realtime', 'openai-realtime')).toBe('openai-realtime');
    expect(az.target({ baseUrl: 'https://res.openai.azure.com/openai', apiKey: 'k', model: 'my-dep', protocol: 'openai-realtime', stream: true })).toEqual({
      protocol: 'openai-realtime',
      url: 'wss://res.openai.azure.com/openai/v1/realtime?model=my-dep',
      headers: { 'api-key': 'k' },
    });
    for (const type of Object.keys(OPENAI_COMPATIBLE_PRESETS))
      expect([type, providerFor(type)!.protocolFor('m', 'realtime', 'openai-realtime')]).toEqual([type, null]);
  });
});
