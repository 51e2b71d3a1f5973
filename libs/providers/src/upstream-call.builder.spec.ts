import { geminiActionFor } from './gemini/gemini-action.util';
import { buildUpstreamBody, buildUpstreamCall, isUpstreamCallFailure, mapStatus, upstreamProtocolOf } from './upstream-call.builder';
import type { InboundRequest, UpstreamCall, UpstreamCallArgs, UpstreamChannel } from './upstream-call.types';

const channel = (over: Partial<UpstreamChannel> = {}): UpstreamChannel => ({
  id: 1,
  type: 'openai',
  baseUrl: 'https://up.example',
  modelMapping: {},
  paramOverride: {},
  headers: {},
  statusCodeMapping: {},
  ...over,
});
const call = (body: Record<string, unknown>, protocol: InboundRequest['protocol'] = 'openai-chat'): InboundRequest => {
  const raw = Buffer.from(JSON.stringify(body, null, 1));
  return { protocol, operation: 'generate', endpoint: 'chat.completions', model: String(body.model ?? 'm'), stream: false, body, raw };
};
const ctx = (upstreamModel: string) => ({ upstreamModel, requestedModel: 'm', stream: false, requestId: 'r' });

describe('buildUpstreamBody', () => {
  const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

  it('forwards the very bytes when nothing must change', () => {
    const c = call(base);
    expect(buildUpstreamBody(c, 'openai-chat', 'm', 'm', channel(), ctx('m'))).toBe(c.raw);
  });

  it('rewrites only the model for a mapping, and deep-merges a param override', () => {
    const out = JSON.parse(
      buildUpstreamBody(
        call(base),
        'openai-chat',
        'vendor-m',
        'm',
        channel({ paramOverride: { temperature: 0.1, metadata: { a: 1 } } }),
        ctx('vendor-m'),
      ) as string,
    );
    expect(out).toEqual({ ...base, model: 'vendor-m', temperature: 0.1, metadata: { a: 1 } });
  });

  it('applies the seed fixes even on pass-through: `tools: []` drops tool_choice', () => {
    const out = JSON.parse(buildUpstreamBody(call({ ...base, tools: [], tool_choice: 'auto' }), 'openai-chat', 'm', 'm', channel(), ctx('m')) as string);
    expect(out).not.toHaveProperty('tool_choice');
  });

  it('converts across protocols', () => {
    const out = JSON.parse(buildUpstreamBody(call(base), 'anthropic', 'claude-x', 'm', channel(), ctx('claude-x')) as string);
    expect(out).toMatchObject({ model: 'claude-x', max_tokens: expect.any(Number), messages: [{ role: 'user' }] });
  });

  it('sends OpenAI embeddings to Gemini batchEmbedContents and keeps a Gemini client’s own action', () => {
    expect(geminiActionFor({ ...call(base, 'openai-embeddings'), operation: 'embed' }, 'gemini')).toBe('batchEmbedContents');
    expect(geminiActionFor({ ...call(base, 'gemini'), geminiAction: 'embedContent' }, 'gemini')).toBe('embedContent');
    expect(geminiActionFor(call(base), 'anthropic')).toBeUndefined();
  });
});

describe('buildUpstreamCall', () => {
  const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
  const build = (over: Partial<UpstreamCallArgs> & { channel?: UpstreamChannel } = {}): UpstreamCall => {
    const a: UpstreamCallArgs = { channel: channel(), apiKey: 'sk-1', call: call(base), routeModel: 'm', requestId: 'r1', ...over };
    const r = buildUpstreamCall(a.channel, a.apiKey, a.call, a.routeModel, a.requestId, a.clientHeaders);
    if (isUpstreamCallFailure(r)) throw new Error(`unexpected failure ${r.failure}`);
    return r;
  };

  it('headers in one order: content type, accept, the provider’s auth, then the channel’s (which win)', () => {
    const r = build({ channel: channel({ headers: { 'x-app-code': 'c', authorization: 'Bearer channel' } }) });
    expect(Object.entries(r.headers)).toEqual([
      ['content-type', 'application/json'],
      ['accept', 'application/json'],
      ['authorization', 'Bearer channel'],
      ['x-app-code', 'c'],
    ]);
    expect(build().headers.authorization).toBe('Bearer sk-1');
    expect(build().url).toBe('https://up.example/v1/chat/completions');
  });

  it('forwards the client’s bytes untouched when nothing changes (same protocol, model, no override)', () => {
    const c = call(base);
    const r = build({ call: c });
    expect(r.body).toBe(c.raw);
    expect([r.upstreamProtocol, r.upstreamModel]).toEqual(['openai-chat', 'm']);
    expect(r.ctx).toEqual({ upstreamModel: 'm', requestedModel: 'm', stream: false, requestId: 'r1', clientBody: c.body });
  });

  it('maps the model and deep-merges the channel’s param override into the body', () => {
    const r = build({ channel: channel({ modelMapping: { m: 'vendor-m' }, paramOverride: { temperature: 0, metadata: { a: 1 } } }) });
    expect(r.upstreamModel).toBe('vendor-m');
    expect(JSON.parse(r.body as string)).toEqual({ ...base, model: 'vendor-m', temperature: 0, metadata: { a: 1 } });
  });

  it('Gemini upstream: the model is in the path, the client’s body is not given one', () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const c = { ...call(body, 'gemini'), model: 'g', stream: true, geminiAction: 'streamGenerateContent' };
    const r = build({ channel: channel({ type: 'gemini', modelMapping: { g: 'gemini-2.5-flash' } }), call: c, routeModel: 'g' });
    expect(r.url).toBe('https://up.example/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(r.headers['x-goog-api-key']).toBe('sk-1');
    expect(JSON.parse(r.body as string)).toEqual(body);
    // no mapping, no override: the very bytes
    expect(build({ channel: channel({ type: 'gemini' }), call: c, routeModel: 'g' }).body).toBe(c.raw);
  });

  it('a stream the gateway asks for (stream-fake): stream on the body (OpenAI with include_usage) or in the path', () => {
    const c = call(base);
    const streamed = (ch: UpstreamChannel, inbound = c) => {
      const r = buildUpstreamCall(ch, 'sk-1', inbound, inbound.model, 'r1', undefined, true);
      if (isUpstreamCallFailure(r)) throw new Error(r.failure);
      return r;
    };
    const openai = streamed(channel());
    expect(openai.ctx.stream).toBe(true);
    expect(JSON.parse(openai.body as string)).toEqual({ ...base, stream: true, stream_options: { include_usage: true } });
    expect(JSON.parse(streamed(channel({ type: 'anthropic' })).body as string)).toMatchObject({ stream: true });
    const g = { ...call({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, 'gemini'), model: 'g', geminiAction: 'generateContent' };
    expect(streamed(channel({ type: 'gemini' }), g).url).toBe('https://up.example/v1beta/models/g:streamGenerateContent?alt=sse');
    expect(streamed(channel({ type: 'gemini' })).url).toBe('https://up.example/v1beta/models/m:streamGenerateContent?alt=sse');
  });

  it('passes the client’s anthropic-version and anthropic-beta to an Anthropic upstream only', () => {
    const clientHeaders = { 'anthropic-version': '2024-01-01', 'anthropic-beta': 'tools-x', 'x-other': 'no' };
    const anthropicBody = { model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
    const r = build({ channel: channel({ type: 'anthropic' }), call: call(anthropicBody, 'anthropic'), routeModel: 'claude-x', clientHeaders });
    expect(r.headers).toMatchObject({ 'x-api-key': 'sk-1', 'anthropic-version': '2024-01-01', 'anthropic-beta': 'tools-x' });
    expect(r.headers).not.toHaveProperty('x-other');
    // an OpenAI client reaching Anthropic gets the adapter's version, not headers it never meant for Anthropic
    const converted = build({ channel: channel({ type: 'anthropic' }), routeModel: 'm', clientHeaders });
    expect(converted.headers['anthropic-version']).toBe('2023-06-01');
    expect(converted.headers).not.toHaveProperty('anthropic-beta');
  });

  it('typed failures: unknown type, an operation the upstream cannot serve, a request that cannot be converted', () => {
    expect(buildUpstreamCall(channel({ type: 'nope' }), 'k', call(base), 'm', 'r')).toMatchObject({
      failure: 'unknown_type',
    });
    const embed = { ...call({ model: 'm', input: 'x' }, 'openai-embeddings'), operation: 'embed' as const };
    expect(buildUpstreamCall(channel({ type: 'anthropic' }), 'k', embed, 'm', 'r')).toMatchObject({
      failure: 'unsupported',
    });
    const bad = buildUpstreamCall(channel({ type: 'anthropic' }), 'k', call({ model: 'm', messages: 'x' }), 'm', 'r');
    expect(bad).toMatchObject({ failure: 'invalid_request', status: 400 });
  });

  it('maps statuses by the channel’s statusCodeMapping, others unchanged', () => {
    const c = channel({ statusCodeMapping: { '500': 503, '400': 429 } });
    expect([mapStatus(c, 500), mapStatus(c, 400), mapStatus(c, 200)]).toEqual([503, 429, 200]);
  });
});

describe('endpoint families: uploads and capability', () => {
  const upload = (over: Partial<InboundRequest> = {}): InboundRequest => ({
    protocol: 'openai-audio',
    operation: 'audio.transcribe',
    endpoint: 'audio.transcriptions',
    model: 'whisper',
    stream: false,
    body: { model: 'whisper', language: 'en', timestamp_granularities: ['word', 'segment'] },
    raw: Buffer.alloc(0),
    files: [{ field: 'file', filename: 'a.wav', contentType: 'audio/wav', bytes: 3, data: Buffer.from('abc'), blob: new Blob(['abc'], { type: 'audio/wav' }) }],
    ...over,
  });

  it('rebuilds an upload as a form: the model mapped, text overrides applied, arrays as x[], the files after', async () => {
    const built = buildUpstreamCall(
      channel({ modelMapping: { whisper: 'whisper-1' }, paramOverride: { temperature: 0, nested: { x: 1 } } }),
      'k',
      upload(),
      'whisper',
      'r',
    );
    if (isUpstreamCallFailure(built)) throw new Error(built.message);
    expect(built.url).toBe('https://up.example/v1/audio/transcriptions');
    expect(built.body).toBeInstanceOf(FormData);
    // the sender sets multipart/form-data with the boundary: a JSON content type here would break the upload
    expect(built.headers['content-type']).toBeUndefined();
    const form = built.body as FormData;
    expect([...form.keys()]).toEqual(['model', 'language', 'timestamp_granularities[]', 'timestamp_granularities[]', 'temperature', 'file']);
    expect(form.get('model')).toBe('whisper-1');
    expect(form.get('temperature')).toBe('0');
    const file = form.get('file') as File;
    expect([file.name, file.type, await file.text()]).toEqual(['a.wav', 'audio/wav', 'abc']);
  });

  it('a channel declaring endpoints serves exactly those families beyond chat', () => {
    const declared = channel({ type: 'openai-compatible', endpoints: ['rerank'] });
    const rerank = { protocol: 'rerank', operation: 'rerank', endpoint: 'rerank' } as const;
    const images = { protocol: 'openai-images', operation: 'image.generate', endpoint: 'images.generations' } as const;
    expect(upstreamProtocolOf(declared, rerank, 'm')).toBe('rerank');
    expect(upstreamProtocolOf(channel({ type: 'openai-compatible' }), rerank, 'm')).toBeNull();
    expect(upstreamProtocolOf(channel({ type: 'openai', endpoints: ['rerank'] }), images, 'm')).toBeNull();
    expect(upstreamProtocolOf(channel({ type: 'openai' }), images, 'm')).toBe('openai-images');
    const completions = { protocol: 'openai-completions', operation: 'generate', endpoint: 'completions' } as const;
    expect(upstreamProtocolOf(channel({ type: 'openai', endpoints: ['rerank'] }), completions, 'gpt-4o')).toBe('openai-chat');
    expect(upstreamProtocolOf(channel({ type: 'openai' }), completions, 'gpt-3.5-turbo-instruct')).toBe('openai-completions');
    expect(upstreamProtocolOf(channel({ type: 'vllm', endpoints: ['completions'] }), completions, 'llama')).toBe('openai-completions');
    expect(upstreamProtocolOf(channel({ type: 'deepseek' }), completions, 'deepseek-chat')).toBe('openai-chat');
  });
});
