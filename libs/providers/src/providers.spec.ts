import { aihubmixProtocolFor, OPENAI_COMPATIBLE_PRESETS, providerFor, type TargetArgs } from './index';

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

  it('Completions: relayed as they are to the models OpenAI serves only there (every client), else through Chat', () => {
    const openai = providerFor('openai')!;
    for (const model of ['gpt-3.5-turbo-instruct', 'gpt-3.5-turbo-instruct-0914', 'davinci-002', 'babbage-002'])
      for (const inbound of ['openai-completions', 'openai-chat', 'openai-responses', 'anthropic', 'gemini'] as const)
        expect([model, inbound, openai.protocolFor(model, 'generate', inbound)]).toEqual([model, inbound, 'openai-completions']);
    expect(openai.protocolFor('gpt-4o', 'generate', 'openai-completions')).toBe('openai-chat');
    // a channel declaring `completions` gets Completions clients as they are, whatever the model
    expect(providerFor('deepseek')!.protocolFor('deepseek-chat', 'generate', 'openai-completions', true)).toBe('openai-completions');
    expect(providerFor('deepseek')!.protocolFor('gpt-3.5-turbo-instruct', 'generate', 'openai-completions')).toBe('openai-chat');
    expect(
      openai.target({ baseUrl: 'https://api.openai.com/v1', apiKey: 'k', model: 'm', protocol: 'openai-completions', stream: false, operation: 'generate' })
        .url,
    ).toBe('https://api.openai.com/v1/completions');
  });

  it('aihubmix addresses each sub-protocol under the right path', () => {
    const a = providerFor('aihubmix')!;
    const t = (protocol: 'anthropic' | 'gemini' | 'openai-chat' | 'openai-responses', model: string, stream = false) =>
      a.target({ baseUrl: 'https://aihubmix.com', apiKey: 'k', model, protocol, stream, operation: 'generate' }).url;
    expect(t('anthropic', 'claude-x')).toBe('https://aihubmix.com/v1/messages');
    expect(t('gemini', 'gemini-2.5-flash', true)).toBe('https://aihubmix.com/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(t('openai-responses', 'gpt-4o')).toBe('https://aihubmix.com/v1/responses');
    expect(t('openai-chat', 'deepseek-chat')).toBe('https://aihubmix.com/v1/chat/completions');
  });

  it('tolerates a typed /v1 suffix and never doubles it', () => {
    const o = providerFor('openai')!;
    for (const base of ['https://api.openai.com', 'https://api.openai.com/', 'https://api.openai.com/v1', 'https://api.openai.com/v1/']) {
      expect(o.target({ baseUrl: base, apiKey: 'k', model: 'm', protocol: 'openai-chat', stream: false, operation: 'generate' }).url).toBe(
        'https://api.openai.com/v1/chat/completions',
      );
    }
    expect(
      providerFor('zhipu')!.target({
        baseUrl: 'https://open.bigmodel.cn',
        apiKey: 'k',
        model: 'm',
        protocol: 'openai-chat',
        stream: false,
        operation: 'generate',
      }).url,
    ).toBe('https://open.bigmodel.cn/api/paas/v4/chat/completions');
    expect(
      providerFor('anthropic')!.target({
        baseUrl: 'https://api.anthropic.com/v1',
        apiKey: 'k',
        model: 'm',
        protocol: 'anthropic',
        stream: true,
        operation: 'generate',
      }).headers['x-api-key'],
    ).toBe('k');
  });

  it('Realtime: OpenAI and Azure answer it over wss with their own auth; compatible presets cannot', () => {
    const o = providerFor('openai')!;
    expect(o.protocolFor('gpt-realtime', 'realtime', 'openai-realtime')).toBe('openai-realtime');
    expect(
      o.target({ baseUrl: 'https://api.openai.com/v1', apiKey: 'k', model: 'gpt-realtime', protocol: 'openai-realtime', stream: true, operation: 'realtime' }),
    ).toEqual({
      protocol: 'openai-realtime',
      url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      headers: { authorization: 'Bearer k' },
    });
    expect(o.target({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', model: 'a b', protocol: 'openai-realtime', stream: true, operation: 'realtime' }).url).toBe(
      'ws://127.0.0.1:9/v1/realtime?model=a%20b',
    );
    const az = providerFor('azure')!;
    expect(az.protocolFor('my-dep', 'realtime', 'openai-realtime')).toBe('openai-realtime');
    expect(
      az.target({
        baseUrl: 'https://res.openai.azure.com/openai',
        apiKey: 'k',
        model: 'my-dep',
        protocol: 'openai-realtime',
        stream: true,
        operation: 'realtime',
      }),
    ).toEqual({
      protocol: 'openai-realtime',
      url: 'wss://res.openai.azure.com/openai/v1/realtime?model=my-dep',
      headers: { 'api-key': 'k' },
    });
    for (const type of Object.keys(OPENAI_COMPATIBLE_PRESETS))
      expect([type, providerFor(type)!.protocolFor('m', 'realtime', 'openai-realtime')]).toEqual([type, null]);
  });
});

describe('provider adapters: the families beyond chat', () => {
  const url = (type: string, protocol: TargetArgs['protocol'], operation: TargetArgs['operation'], model = 'm') =>
    providerFor(type)!.target({
      baseUrl: type === 'azure' ? 'https://r.openai.azure.com' : 'https://api.openai.com',
      apiKey: 'k',
      model,
      protocol,
      stream: false,
      operation,
    }).url;

  it('OpenAI serves images, audio, moderations and realtime by default, not rerank', () => {
    const o = providerFor('openai')!;
    expect(o.protocolFor('dall-e-3', 'image.edit', 'openai-images')).toBe('openai-images');
    expect(o.protocolFor('whisper-1', 'audio.translate', 'openai-audio')).toBe('openai-audio');
    expect(o.protocolFor('omni-moderation-latest', 'moderate', 'openai-moderations')).toBe('openai-moderations');
    expect(o.protocolFor('m', 'rerank', 'rerank')).toBeNull();
    expect(o.protocolFor('m', 'rerank', 'rerank', true)).toBe('rerank');
    expect(url('openai', 'openai-images', 'image.variation')).toBe('https://api.openai.com/v1/images/variations');
    expect(url('openai', 'openai-audio', 'audio.speech')).toBe('https://api.openai.com/v1/audio/speech');
    expect(url('openai', 'openai-completions', 'generate')).toBe('https://api.openai.com/v1/completions');
    expect(url('openai', 'openai-moderations', 'moderate')).toBe('https://api.openai.com/v1/moderations');
  });

  it('OpenAI-compatible presets serve chat and embeddings only unless a channel declares more', () => {
    expect(providerFor('deepseek')!.protocolFor('m', 'image.generate', 'openai-images')).toBeNull();
    expect(providerFor('vllm')!.protocolFor('m', 'rerank', 'rerank', true)).toBe('rerank');
  });

  it('Azure addresses families under the deployment; no moderations of its own', () => {
    expect(url('azure', 'openai-audio', 'audio.transcribe', 'whisper')).toBe(
      'https://r.openai.azure.com/openai/deployments/whisper/audio/transcriptions?api-version=2024-10-21',
    );
    expect(url('azure', 'openai-images', 'image.generate', 'dalle')).toBe(
      'https://r.openai.azure.com/openai/deployments/dalle/images/generations?api-version=2024-10-21',
    );
    expect(providerFor('azure')!.protocolFor('m', 'moderate', 'openai-moderations')).toBeNull();
  });

  it('Anthropic serves only generations; Gemini also image generation; AiHubMix sends imagen to Gemini', () => {
    expect(providerFor('anthropic')!.protocolFor('m', 'image.generate', 'openai-images')).toBeNull();
    expect(providerFor('gemini')!.protocolFor('imagen-4.0-generate-001', 'image.generate', 'openai-images')).toBe('gemini');
    expect(providerFor('gemini')!.protocolFor('m', 'audio.speech', 'openai-audio')).toBeNull();
    expect(providerFor('aihubmix')!.protocolFor('imagen-4.0', 'image.generate', 'openai-images')).toBe('gemini');
    expect(providerFor('aihubmix')!.protocolFor('dall-e-3', 'image.generate', 'openai-images')).toBe('openai-images');
  });
});
