import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { requireInfra } from '../../support/infra';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';

jest.setTimeout(120_000);

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
}

/** A minimal OTLP/HTTP (JSON) trace receiver: what the collector would get. */
async function startReceiver() {
  const spans: OtlpSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        const json = JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: Omit<OtlpSpan, 'service'>[] }[];
          }[];
        };
        for (const rs of json.resourceSpans ?? []) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, service });
        }
      } catch {
        /* not JSON: ignore */
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { spans, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

describe('OpenTelemetry across NATS (cluster)', () => {
  let run = true;
  let mock: MockUpstream;
  let sys: (System & { dropDatabase(): Promise<void> }) | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    receiver = await startReceiver();
    sys = await startCluster({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' } });
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase();
    await mock?.close();
    await receiver?.close();
  });

  it('one request is one trace: gateway server span, the NATS hop into auth, the upstream client span', async () => {
    if (!run) return;
    const admin = adminClient(sys!.url, sys!.adminKey);
    await admin.post('/api/channels', { name: 'traced', type: 'openai', baseUrl: mock.url, keys: ['k'], models: ['traced-m'] });
    const key = String((await admin.post('/api/tokens', { name: 'traced' })).body.key);
    const client = new OpenAI({ apiKey: key, baseURL: `${sys!.url}/v1`, maxRetries: 0 });
    await eventually(
      async () => {
        try {
          await client.chat.completions.create({ model: 'traced-m', messages: [{ role: 'user', content: 'warm' }] });
          return true;
        } catch {
          return false;
        }
      },
      5_000,
      'the route',
    );
    // A key the gateway has not seen yet: its verification crosses NATS inside this request's trace.
    const fresh = String((await admin.post('/api/tokens', { name: 'fresh' })).body.key);
    const fc = new OpenAI({ apiKey: fresh, baseURL: `${sys!.url}/v1`, maxRetries: 0 });
    await fc.chat.completions.create({ model: 'traced-m', messages: [{ role: 'user', content: 'trace me' }] });

    const trace = await eventually(
      async () => {
        const roots = receiver.spans.filter((s) => s.service === 'switchboard-gateway' && s.name === 'POST /v1/chat/completions');
        for (const root of roots.reverse()) {
          const inTrace = receiver.spans.filter((s) => s.traceId === root.traceId);
          if (inTrace.some((s) => s.service === 'switchboard-auth') && inTrace.some((s) => s.name.startsWith('upstream POST'))) return inTrace;
        }
        return null;
      },
      10_000,
      'a trace spanning gateway and auth',
    );
    const names = trace.map((s) => `${s.service}:${s.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'switchboard-gateway:POST /v1/chat/completions',
        'switchboard-gateway:request auth.key.verify.v1',
        'switchboard-auth:handle auth.key.verify.v1',
        expect.stringMatching(/^switchboard-gateway:upstream POST 127\.0\.0\.1:\d+$/),
      ]),
    );
    // The auth span's parent is the gateway's NATS request span: the context crossed in the message headers.
    const request = trace.find((s) => s.name === 'request auth.key.verify.v1')!;
    const handled = trace.find((s) => s.service === 'switchboard-auth')!;
    expect(handled.parentSpanId).toBe(request.spanId);
  });
});
