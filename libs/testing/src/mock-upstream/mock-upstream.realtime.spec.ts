import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import WebSocket from 'ws';
import { plainSocketTo, startMockUpstream, type MockUpstream } from '../index';

type ServerEvent = { type: string } & Record<string, unknown>;

/** Collects a socket's server events and resolves when one of `type` arrives. */
function eventsOf(ws: WebSocket) {
  const seen: ServerEvent[] = [];
  const waiters: { type: string; resolve: (e: ServerEvent) => void }[] = [];
  ws.on('message', (d: WebSocket.RawData) => {
    const e = JSON.parse(String(d)) as ServerEvent;
    seen.push(e);
    for (const w of waiters.filter((x) => x.type === e.type)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  return {
    seen,
    next: (type: string) => new Promise<ServerEvent>((resolve) => waiters.push({ type, resolve })),
  };
}

describe('mock upstream: OpenAI Realtime over WebSocket', () => {
  let mock: MockUpstream;

  beforeAll(async () => {
    mock = await startMockUpstream();
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  it('the official SDK client: session.created, then a text response ending in response.done with usage', async () => {
    const client = new OpenAI({ apiKey: 'sk-rt', baseURL: `${mock.url}/v1` });
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: plainSocketTo(mock.url) }, client);
    const created = await new Promise<OpenAI.Realtime.SessionCreatedEvent>((resolve, reject) => {
      rt.on('session.created', resolve);
      rt.on('error', reject);
    });
    expect(created.session).toMatchObject({ type: 'realtime', model: 'gpt-realtime' });
    const deltas: string[] = [];
    rt.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const done = new Promise<OpenAI.Realtime.ResponseDoneEvent>((resolve) => rt.on('response.done', resolve));
    rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello there [cache:2]' }] } });
    rt.send({ type: 'response.create' });
    const d = await done;
    rt.close();
    expect(deltas.join('')).toBe('Echo: hello there');
    expect(d.response.status).toBe('completed');
    expect(d.response.usage).toMatchObject({
      // one token per word of the text sent, directive included (as the chat endpoints count)
      input_tokens: 3,
      output_tokens: 3,
      total_tokens: 6,
      input_token_details: { cached_tokens: 2, text_tokens: 3, audio_tokens: 0 },
      output_token_details: { text_tokens: 3, audio_tokens: 0 },
    });
    expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/v1/realtime?model=gpt-realtime', key: 'sk-rt', model: 'gpt-realtime' });
    expect(mock.realtimeEvents.map((e) => e.type)).toEqual(['session.update', 'conversation.item.create', 'response.create']);
  });

  it('audio in and out: appended pcm16 is billed as audio tokens, the answer as audio deltas and its transcript', async () => {
    const ws = new WebSocket(`${mock.url.replace('http', 'ws')}/v1/realtime?model=gpt-realtime`, ['realtime', 'openai-insecure-api-key.sk-browser']);
    const ev = eventsOf(ws);
    await ev.next('session.created');
    expect(ws.protocol).toBe('realtime');
    ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.alloc(48_000).toString('base64') }));
    ws.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
    ws.send(JSON.stringify({ type: 'response.create' }));
    const done = await ev.next('response.done');
    ws.close();
    const usage = (done.response as { usage: Record<string, Record<string, number>> }).usage;
    expect(usage.input_token_details).toMatchObject({ audio_tokens: 10, text_tokens: 0 });
    expect(usage.output_token_details.audio_tokens).toBeGreaterThan(0);
    expect(ev.seen.some((e) => e.type === 'response.output_audio.delta')).toBe(true);
    expect(mock.requests[0].key).toBe('sk-browser');
  });

  it('max_output_tokens cuts the answer and marks the response incomplete', async () => {
    const ws = new WebSocket(`${mock.url.replace('http', 'ws')}/v1/realtime?model=gpt-realtime`, { headers: { authorization: 'Bearer k' } });
    const ev = eventsOf(ws);
    await ev.next('session.created');
    ws.send(
      JSON.stringify({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'one two three four' }] },
      }),
    );
    ws.send(JSON.stringify({ type: 'response.create', response: { output_modalities: ['text'], max_output_tokens: 2 } }));
    const done = await ev.next('response.done');
    ws.close();
    expect(done.response).toMatchObject({ status: 'incomplete', status_details: { reason: 'max_output_tokens' }, usage: { output_tokens: 2 } });
    expect(ev.seen.find((e) => e.type === 'response.output_text.done')).toMatchObject({ text: 'Echo: one' });
  });

  it('refuses the handshake with OpenAI error bodies: a bad key (401), a fault status, a missing model (400)', async () => {
    const strict = await startMockUpstream({ keys: ['good'] });
    const refusal = (url: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.on('error', () => undefined);
      });
    try {
      const bad = await refusal(`${strict.url.replace('http', 'ws')}/v1/realtime?model=m`, { authorization: 'Bearer nope' });
      expect(bad.status).toBe(401);
      expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'invalid_api_key' } });
      strict.setFault({ status: 503, times: 1 });
      expect((await refusal(`${strict.url.replace('http', 'ws')}/v1/realtime?model=m`, { authorization: 'Bearer good' })).status).toBe(503);
      const noModel = await refusal(`${strict.url.replace('http', 'ws')}/v1/realtime`, { authorization: 'Bearer good' });
      expect(noModel.status).toBe(400);
    } finally {
      await strict.close();
    }
  });
});
