import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fastify, type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { DomainError } from '@switchboard/contracts';
import { readMultipartBody, type MultipartBody } from './multipart-body.reader';

const MAX = 64 * 1024;
const MEMORY = 1024;

/** A route that reads the upload in an onRequest hook (as the relay does) and shows what it got. */
async function app(seen: MultipartBody[]): Promise<FastifyInstance> {
  const f = fastify();
  f.route({
    method: 'POST',
    url: '/upload',
    onRequest: (req, reply, _done) => {
      readMultipartBody(req, { maxBytes: MAX, memoryBytes: MEMORY }).then(
        async (form) => {
          seen.push(form);
          const files = await Promise.all(
            form.files.map(async (file) => ({
              field: file.field,
              filename: file.filename,
              contentType: file.contentType,
              bytes: file.bytes,
              onDisk: file.path !== undefined && existsSync(file.path),
              inMemory: file.data !== undefined,
              // read twice: an attempt's failover replays the same bytes
              same: Buffer.from(await file.blob!.arrayBuffer()).equals(Buffer.from(await file.blob!.arrayBuffer())),
              sum: Buffer.from(await file.blob!.arrayBuffer()).reduce((a, b) => (a + b) % 65_521, 0),
            })),
          );
          void reply.send({ fields: form.fields, files });
        },
        (e: unknown) => {
          const d = e as DomainError;
          void reply.status(d instanceof DomainError ? d.status : 500).send({ message: d.message });
        },
      );
    },
    handler: () => undefined,
  });
  await f.ready();
  return f;
}

async function encode(form: FormData): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const res = new Response(form);
  return { payload: Buffer.from(await res.arrayBuffer()), headers: { 'content-type': res.headers.get('content-type')! } };
}

const bytes = (n: number, seed = 7) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed) % 251));
const sum = (b: Buffer) => b.reduce((a, x) => (a + x) % 65_521, 0);

describe('readMultipartBody (uploads: fields as a body, files in memory or spooled)', () => {
  let f: FastifyInstance;
  const seen: MultipartBody[] = [];
  beforeAll(async () => {
    f = await app(seen);
  });
  afterAll(async () => {
    await f.close();
  });

  it('reads text fields (repeated `x[]` as arrays) and files: small ones in memory, large ones spooled to disk', async () => {
    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append('timestamp_granularities[]', 'word');
    form.append('timestamp_granularities[]', 'segment');
    form.append('file', new Blob([new Uint8Array(bytes(300))], { type: 'audio/wav' }), 'small.wav');
    form.append('image', new Blob([new Uint8Array(bytes(20_000, 13))], { type: 'image/png' }), 'big.png');
    const res = await f.inject({ method: 'POST', url: '/upload', ...(await encode(form)) });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ fields: Record<string, unknown>; files: Record<string, unknown>[] }>();
    expect(body.fields).toEqual({ model: 'whisper-1', timestamp_granularities: ['word', 'segment'] });
    expect(body.files).toEqual([
      { field: 'file', filename: 'small.wav', contentType: 'audio/wav', bytes: 300, onDisk: false, inMemory: true, same: true, sum: sum(bytes(300)) },
      { field: 'image', filename: 'big.png', contentType: 'image/png', bytes: 20_000, onDisk: true, inMemory: false, same: true, sum: sum(bytes(20_000, 13)) },
    ]);
    const spooled = seen.at(-1)!.files[1].path!;
    expect(existsSync(spooled)).toBe(true);
    await seen.at(-1)!.dispose();
    expect(existsSync(spooled)).toBe(false);
  });

  it('refuses a body that is not multipart/form-data with 400', async () => {
    const res = await f.inject({ method: 'POST', url: '/upload', payload: { model: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/multipart\/form-data/);
  });

  it('refuses an upload over the limit with 413: by its declared length, and as it arrives without one', async () => {
    const form = new FormData();
    form.append('model', 'm');
    form.append('file', new Blob([new Uint8Array(bytes(MAX + 10))]), 'big.bin');
    const encoded = await encode(form);
    const declared = await f.inject({ method: 'POST', url: '/upload', ...encoded });
    expect(declared.statusCode).toBe(413);
    // over a real socket, chunked (no declared length), as a client still uploading sends it
    const url = await f.listen({ port: 0, host: '127.0.0.1' });
    const chunked = await request(`${url}/upload`, {
      method: 'POST',
      headers: encoded.headers,
      body: Readable.from(
        (function* () {
          for (let i = 0; i < encoded.payload.length; i += 4096) yield encoded.payload.subarray(i, i + 4096);
        })(),
      ),
    });
    expect([chunked.statusCode, await chunked.body.json()]).toEqual([413, { message: expect.stringMatching(/MAX_UPLOAD_BYTES/) as string }]);
  });

  it('refuses a form with more files than any endpoint takes, and a broken form, with 400', async () => {
    const form = new FormData();
    for (let i = 0; i < 21; i++) form.append('image[]', new Blob([new Uint8Array([i])]), `${i}.png`);
    const many = await f.inject({ method: 'POST', url: '/upload', ...(await encode(form)) });
    expect(many.statusCode).toBe(400);
    expect(many.json<{ message: string }>().message).toMatch(/more than 20 files/);
    const broken = await f.inject({
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      payload: '--xyz\r\nContent-Disposition: form-data; name="model"\r\n\r\nm',
    });
    expect(broken.statusCode).toBe(400);
  });
});

describe('readMultipartBody: a client that leaves mid-upload', () => {
  it('fails the read (no hang) and removes what was spooled', async () => {
    // a spool directory of this test's own: other processes spool uploads too
    const own = mkdtempSync(path.join(tmpdir(), 'spool-test-'));
    const outcomes: unknown[] = [];
    const f = fastify();
    f.route({
      method: 'POST',
      url: '/upload',
      onRequest: (req, _reply, _done) => {
        readMultipartBody(req, { maxBytes: MAX * 16, memoryBytes: MEMORY, spoolDir: own }).then(
          (form) => outcomes.push(form),
          (e: unknown) => outcomes.push(e),
        );
      },
      handler: () => undefined,
    });
    const url = await f.listen({ port: 0, host: '127.0.0.1' });
    const spools = () => readdirSync(own).length;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes(200_000))]), 'a.wav');
    const { payload, headers } = await encode(form);
    const { connect } = await import('node:net');
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(`POST /upload HTTP/1.1\r\nhost: x\r\ncontent-type: ${headers['content-type']}\r\ncontent-length: ${payload.length}\r\n\r\n`);
    socket.write(payload.subarray(0, 100_000));
    // wait until the first part is spooled, then leave
    const t0 = Date.now();
    while (spools() === 0 && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 20));
    expect(spools()).toBe(1);
    socket.destroy();
    const start = Date.now();
    while (!outcomes.length && Date.now() - start < 5_000) await new Promise((r) => setTimeout(r, 20));
    expect(outcomes[0]).toBeInstanceOf(DomainError);
    expect((outcomes[0] as DomainError).status).toBe(499);
    await new Promise((r) => setTimeout(r, 100));
    expect(spools()).toBe(0);
    await f.close();
  });
});
