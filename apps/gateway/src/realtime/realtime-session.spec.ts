import type { AddressInfo } from 'node:net';
import type { GatewayError } from '@switchboard/protocols';
import WebSocket, { WebSocketServer } from 'ws';
import { RealtimeMeter } from './realtime-meter';
import { RealtimeSession, sendableCloseCode, type SessionEnd } from './realtime-session';
import type { Frames } from './realtime-upstream.connector';

/** A real socket pair on loopback: what the far end (client or upstream) sees, and its socket as the session holds it. */
async function socketPair(): Promise<{ far: WebSocket; near: WebSocket; farFrames: string[]; close(): Promise<void> }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const nearP = new Promise<WebSocket>((r) => server.once('connection', r));
  const far = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const farFrames: string[] = [];
  far.on('message', (d: WebSocket.RawData) => farFrames.push(String(d)));
  await new Promise((r) => far.once('open', r));
  const near = await nearP;
  return { far, near, farFrames, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const noFrames: Frames = { take: () => [] };
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('RealtimeSession', () => {
  let pairs: Awaited<ReturnType<typeof socketPair>>[] = [];
  afterEach(async () => {
    for (const p of pairs) {
      p.far.terminate();
      p.near.terminate();
      await p.close();
    }
    pairs = [];
  });

  /** client ↔ [session] ↔ upstream, with an admission hook and the session's end. */
  async function session(admit: (n: number) => GatewayError | null) {
    const client = await socketPair();
    const upstream = await socketPair();
    pairs.push(client, upstream);
    const ended: SessionEnd[] = [];
    let creates = 0;
    const s = new RealtimeSession(upstream.far, noFrames, new RealtimeMeter(null, 1), {
      admitResponse: () => new Promise((r) => setTimeout(() => r(admit(++creates)), 20)),
      firstServerFrame: () => undefined,
      ended: (e) => ended.push(e),
    });
    s.attach(client.near);
    // `client.far` is the user's socket; `upstream.near` is what the upstream server holds.
    const upstreamGot: { data: string; binary: boolean }[] = [];
    upstream.near.on('message', (d: WebSocket.RawData, binary: boolean) =>
      upstreamGot.push({ data: binary ? `bin:${(d as Buffer).length}` : String(d), binary }),
    );
    return { client, upstream, upstreamGot, ended };
  }

  it('a refused response.create is answered with an error event and not forwarded; the frames after it keep their order', async () => {
    const { client, upstreamGot } = await session((n) => (n === 1 ? { status: 429, code: 'insufficient_quota', message: 'no money' } : null));
    client.far.send(JSON.stringify({ type: 'response.create', event_id: 'e1' }));
    client.far.send(JSON.stringify({ type: 'conversation.item.create' }));
    client.far.send(Buffer.from([1, 2, 3]), { binary: true });
    client.far.send(JSON.stringify({ type: 'response.create', event_id: 'e2' }));
    client.far.send(JSON.stringify({ type: 'input_audio_buffer.clear' }));
    await until(() => upstreamGot.length === 4);
    expect(upstreamGot.map((f) => (f.binary ? f.data : (JSON.parse(f.data) as { type: string }).type))).toEqual([
      'conversation.item.create',
      'bin:3',
      'response.create',
      'input_audio_buffer.clear',
    ]);
    await until(() => client.farFrames.length === 1);
    expect(JSON.parse(client.farFrames[0])).toMatchObject({ type: 'error', error: { code: 'insufficient_quota', event_id: 'e1' } });
  });

  it('server frames reach the client as they are, and are billed as they pass', async () => {
    const client = await socketPair();
    const upstream = await socketPair();
    pairs.push(client, upstream);
    const meter = new RealtimeMeter(
      { model: 'm', inputMicros: 1_000_000, outputMicros: 2_000_000, cacheReadMicros: 0, cacheWriteMicros: 0, perRequestMicros: 0 },
      1,
    );
    // A frame that arrived with the handshake, before the session existed, comes first.
    const early: Frames = { take: () => [[Buffer.from('{"type":"session.created"}'), false]] };
    const s = new RealtimeSession(upstream.far, early, meter, { admitResponse: async () => null, firstServerFrame: () => undefined, ended: () => undefined });
    s.attach(client.near);
    const done = JSON.stringify({ type: 'response.done', response: { usage: { input_tokens: 10, output_tokens: 5 } } });
    upstream.near.send(done);
    await until(() => client.farFrames.length === 2);
    expect(client.farFrames).toEqual(['{"type":"session.created"}', done]);
    expect(meter.costMicros).toBe(20);
  });

  it('close codes travel both ways; an upstream that breaks off ends the client with 1011 and the session as a 502', async () => {
    const a = await session(() => null);
    const upstreamClose = new Promise<number>((r) => a.upstream.near.once('close', (code) => r(code)));
    a.client.far.close(4001, 'bye');
    expect(await upstreamClose).toBe(4001);
    await until(() => a.ended.length === 1);
    expect(a.ended[0]).toEqual({ status: 200, error: null, upstreamBroken: false });

    const b = await session(() => null);
    const clientClose = new Promise<number>((r) => b.client.far.once('close', (code) => r(code)));
    b.upstream.near.terminate();
    expect(await clientClose).toBe(1011);
    await until(() => b.ended.length === 1);
    expect(b.ended[0]).toMatchObject({ status: 502, upstreamBroken: true });
  });

  it('only codes a close frame may carry are forwarded', () => {
    expect([1000, 1001, 1011, 4000].every(sendableCloseCode)).toBe(true);
    expect([1004, 1005, 1006, 1015, 999, 5000].some(sendableCloseCode)).toBe(false);
  });
});
