import { SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | null = null;

/**
 * OpenTelemetry is off unless the standard variables ask for it (OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_TRACES_EXPORTER other than `none`); OTEL_SDK_DISABLED=true wins. Off,
 * the API's no-op tracer makes every span below free. On, the OpenTelemetry Node SDK reads the other standard variables
 * (exporter protocol, sampler, propagators, resource attributes, batching); without instrumentations: the spans are
 * the ones Switchboard opens itself.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk || env.OTEL_SDK_DISABLED === 'true') return !!sdk;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  const wanted = env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (exporter && exporter !== 'none');
  if (!wanted || exporter === 'none') return false;
  // The SDK (≈460 modules, ~6 MB of heap, 0.2–0.4 s) is loaded only here, when tracing is on; off, the process holds
  // only the API and its no-op tracer.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // OTLP/HTTP with JSON unless a protocol is chosen (the SDK's own default is protobuf): what earlier versions sent.
  const protocolChosen = env.OTEL_EXPORTER_OTLP_PROTOCOL || env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL;
  const plainOtlp = !exporter || exporter === 'otlp';
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? `switchboard-${service}`,
    traceExporter: plainOtlp && !protocolChosen ? new OTLPTraceExporter() : undefined,
    instrumentations: [],
  });
  sdk.start();
  return true;
}

/** Whether spans are recorded in this process (the HTTP/RPC interceptor is only installed then). */
export function tracingActive(): boolean {
  return sdk !== null;
}

export async function stopTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = null;
}

export const tracer = () => trace.getTracer('switchboard');

/** Runs fn in a new active span; ends it with the outcome. */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  parent?: Context,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
      throw e;
    } finally {
      span.end();
    }
  });
}

/** W3C trace context of the active span, as plain headers (for NATS message headers). */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The context carried by incoming headers (a NATS MsgHdrs-like getter or a plain record). */
export function contextFromHeaders(get: (name: string) => string | undefined): Context {
  return propagation.extract(
    context.active(),
    {},
    {
      get: (_c, key) => get(key),
      keys: () => ['traceparent', 'tracestate'],
    },
  );
}

export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const c = span.spanContext();
  return c.traceFlags || c.traceId !== '00000000000000000000000000000000' ? { traceId: c.traceId, spanId: c.spanId } : undefined;
}

export { SpanKind };

/**
 * The SERVER span TracingInterceptor opens around a Nest route, for routes served straight from fastify: same name
 * (`POST /v1/chat/completions`), attributes and parent (the active context), ended when `fn` settles.
 */
export function inServerSpan<T>(method: string, route: string, url: string, fn: () => Promise<T>): Promise<T> {
  const parent = context.active();
  const path = url.split('?')[0] ?? '';
  const span = tracer().startSpan(`${method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } }, parent);
  return context.with(trace.setSpan(parent, span), fn).then(
    (v) => {
      span.end();
      return v;
    },
    (e: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
      span.end();
      throw e;
    },
  );
}
