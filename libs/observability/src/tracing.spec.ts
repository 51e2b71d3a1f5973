import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { startTracing, stopTracing, tracer, tracingActive } from './tracing';

interface Export {
  path: string;
  contentType: string;
  body: Buffer;
}

/** An OTLP/HTTP receiver on a free port: what a collector would get. */
async function receiver() {
  const got: Export[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(parts) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { got, url, close: () => new Promise((r) => server.close(r)) };
}

/** The SDK and its exporters read process.env: each case sets what it needs there, and startTracing reads the same. */
const OTEL_VARS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_SERVICE_NAME', 'OTEL_TRACES_SAMPLER', 'OTEL_BSP_SCHEDULE_DELAY'];
function start(service: string, vars: Record<string, string>): boolean {
  for (const k of OTEL_VARS) delete process.env[k];
  Object.assign(process.env, vars);
  return startTracing(service, process.env);
}

/** One span, then a shutdown that flushes it. */
async function emitOne(): Promise<void> {
  tracer().startSpan('probe-span').end();
  await stopTracing();
}

describe('startTracing', () => {
  jest.setTimeout(30_000);

  let rx: Awaited<ReturnType<typeof receiver>>;
  beforeEach(async () => (rx = await receiver()));
  afterEach(async () => {
    await stopTracing();
    // The API's globals are registered once per process; each case starts from none.
    trace.disable();
    context.disable();
    propagation.disable();
    for (const k of OTEL_VARS) delete process.env[k];
    await rx.close();
  });

  it('stays off without the standard variables, with OTEL_SDK_DISABLED, and with OTEL_TRACES_EXPORTER=none', () => {
    expect(startTracing('gateway', {})).toBe(false);
    expect(startTracing('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(startTracing('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingActive()).toBe(false);
  });

  it('exports OTLP/HTTP JSON by default, named switchboard-<service>', async () => {
    expect(start('router', { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url })).toBe(true);
    expect(tracingActive()).toBe(true);
    await emitOne();
    expect(rx.got.map((g) => [g.path, g.contentType])).toEqual([['/v1/traces', 'application/json']]);
    const text = rx.got[0].body.toString('utf8');
    expect(text).toContain('"switchboard-router"');
    expect(text).toContain('"probe-span"');
  });

  it('honours the standard exporter protocol and sampler variables', async () => {
    expect(start('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_SERVICE_NAME: 'edge-a' })).toBe(true);
    await emitOne();
    expect(rx.got.map((g) => [g.path, g.contentType])).toEqual([['/v1/traces', 'application/x-protobuf']]);
    expect(rx.got[0].body.includes(Buffer.from('edge-a'))).toBe(true);
    trace.disable();
    context.disable();
    propagation.disable();

    rx.got.length = 0;
    expect(start('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_TRACES_SAMPLER: 'always_off' })).toBe(true);
    await emitOne();
    expect(rx.got).toEqual([]);
  });
});
