import { DomainError } from '@switchboard/contracts';
import { bodyRoutes } from '@switchboard/protocols';
import { inboundCallOf, uploadCallOf, type InboundCall } from './inbound';

const call = (protocol: Parameters<typeof inboundCallOf>[0], json: unknown) =>
  inboundCallOf(protocol, { raw: Buffer.from(JSON.stringify(json)), json }) as InboundCall;

describe('inboundCallOf', () => {
  it('streams generations that ask for it, never embeddings (edge fuzz seed 1200378736 got a 500 for stream:true on /v1/embeddings)', () => {
    expect(call('openai-chat', { model: 'm', messages: [], stream: true })).toMatchObject({ operation: 'generate', stream: true });
    expect(call('openai-embeddings', { model: 'e', input: ['a'], stream: true })).toMatchObject({ operation: 'embed', stream: false });
    expect(call('openai-chat', { model: 'm', messages: [] }).stream).toBe(false);
  });
});

describe('a family validates its request before routing', () => {
  const generations = bodyRoutes().find((r) => r.endpoint === 'images.generations')!;
  const edits = bodyRoutes().find((r) => r.endpoint === 'images.edits')!;
  const form = (fields: Record<string, string>, files: { field: string; contentType: string; filename: string }[]) => ({
    fields,
    files: files.map((f) => ({ ...f, bytes: 3, data: Buffer.from('abc') })),
    dispose: () => Promise.resolve(),
  });

  it('images: a missing prompt or an n out of range is a 400 naming it, on the route called', () => {
    const json = (body: Record<string, unknown>) => inboundCallOf('openai-images', { raw: Buffer.from(JSON.stringify(body)), json: body }, generations);
    expect(json({ model: 'dall-e-3' })).toMatchObject({ status: 400, details: { param: 'prompt' } });
    expect(json({ model: 'dall-e-3', prompt: 'x', n: 0 })).toMatchObject({ status: 400, details: { param: 'n' } });
    expect(json({ model: 'dall-e-3', prompt: 'x', n: 2 })).toMatchObject({ operation: 'image.generate', endpoint: 'images.generations' });
  });

  it('image uploads: a text file is a 400 naming the field; an image goes on', () => {
    const text = uploadCallOf(
      'openai-images',
      edits,
      form({ model: 'dall-e-2', prompt: 'x' }, [{ field: 'image', contentType: 'text/plain', filename: 'a.txt' }]),
    );
    expect(text).toBeInstanceOf(DomainError);
    expect(text).toMatchObject({ status: 400, details: { param: 'image' } });
    const png = uploadCallOf(
      'openai-images',
      edits,
      form({ model: 'dall-e-2', prompt: 'x' }, [{ field: 'image', contentType: 'image/png', filename: 'a.png' }]),
    );
    expect(png).toMatchObject({ operation: 'image.edit', model: 'dall-e-2', files: [{ field: 'image' }] });
  });
});
