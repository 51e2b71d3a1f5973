import { aihubmixProtocolFor, providerFor } from './index';

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
    expect(providerFor('anthropic')!.target({ baseUrl: 'https://api.anthropic.com/v1', apiKey: 'k', model: 'm', protocol: 'anthropic', stream: true }).headers['x-api-key']).toBe('k');
  });
});
