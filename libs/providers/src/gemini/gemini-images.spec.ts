import { buildUpstreamCall } from '../upstream-call.builder';
import type { InboundRequest, UpstreamCall, UpstreamChannel } from '../upstream-call.types';

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

describe('OpenAI image generations to Gemini channels', () => {
  const images = (model: string, over: Partial<InboundRequest> = {}): InboundRequest => {
    const body = { model, prompt: 'a fox', n: 2, size: '1024x1024' };
    return {
      protocol: 'openai-images',
      operation: 'image.generate',
      endpoint: 'images.generations',
      model,
      stream: false,
      body,
      raw: Buffer.from(JSON.stringify(body)),
      ...over,
    };
  };
  const gemini = channel({ type: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com' });

  it('Imagen models go to :predict with instances and parameters', () => {
    const built = buildUpstreamCall(gemini, 'k', images('imagen-4.0-generate-001'), 'imagen-4.0-generate-001', 'r') as UpstreamCall;
    expect(built.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/imagen-4.0-generate-001:predict');
    expect(JSON.parse(built.body as string)).toEqual({ instances: [{ prompt: 'a fox' }], parameters: { sampleCount: 2, aspectRatio: '1:1' } });
  });

  it('a mapped native image model goes to :generateContent asking for images', () => {
    const ch = { ...gemini, modelMapping: { 'nano-banana': 'gemini-2.5-flash-image' } };
    const built = buildUpstreamCall(ch, 'k', images('nano-banana'), 'nano-banana', 'r') as UpstreamCall;
    expect(built.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash-image:generateContent');
    expect(JSON.parse(built.body as string)).toMatchObject({ generationConfig: { responseModalities: ['TEXT', 'IMAGE'], candidateCount: 2 } });
  });

  it('edits are not served by Gemini channels (capability routing), and a stream is a 400 naming it', () => {
    expect(
      buildUpstreamCall(gemini, 'k', images('imagen-4.0-generate-001', { operation: 'image.edit', endpoint: 'images.edits' }), 'imagen-4.0-generate-001', 'r'),
    ).toMatchObject({
      failure: 'unsupported',
    });
    const streamed = images('imagen-4.0-generate-001', { stream: true, body: { model: 'imagen-4.0-generate-001', prompt: 'x', stream: true } });
    expect(buildUpstreamCall(gemini, 'k', streamed, 'imagen-4.0-generate-001', 'r')).toMatchObject({
      failure: 'invalid_request',
      status: 400,
      param: 'stream',
    });
  });
});

describe('image calls to aihubmix channels', () => {
  const body = { model: 'dall-e-3', prompt: 'a fox' };
  const gen = (model: string, over: Partial<InboundRequest> = {}): InboundRequest => ({
    protocol: 'openai-images',
    operation: 'image.generate',
    endpoint: 'images.generations',
    model,
    stream: false,
    body: { ...body, model },
    raw: Buffer.from(JSON.stringify({ ...body, model })),
    ...over,
  });

  it('aihubmix: imagen models to Gemini :predict under /gemini, OpenAI image models to its OpenAI API', () => {
    const hub = channel({ type: 'aihubmix', baseUrl: 'https://aihubmix.com' });
    const imagen = buildUpstreamCall(hub, 'k', gen('imagen-4.0-generate-001'), 'imagen-4.0-generate-001', 'r') as UpstreamCall;
    expect(imagen.url).toBe('https://aihubmix.com/gemini/v1beta/models/imagen-4.0-generate-001:predict');
    expect(JSON.parse(imagen.body as string)).toEqual({ instances: [{ prompt: 'a fox' }], parameters: { sampleCount: 1 } });
    const dalle = buildUpstreamCall(hub, 'k', gen('dall-e-3'), 'dall-e-3', 'r') as UpstreamCall;
    expect(dalle.url).toBe('https://aihubmix.com/v1/images/generations');
  });
});
