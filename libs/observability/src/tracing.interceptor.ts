import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { SpanKind, SpanStatusCode, context as otel, trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { contextFromHeaders, tracer } from './tracing';

interface HeaderBag {
  get(name: string): string | undefined;
}

/**
 * One SERVER span per HTTP request and per message handled, in every service. A message's parent comes from the
 * trace context in its NATS headers; in-process the caller's context flows through AsyncLocalStorage on its own.
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    let name: string;
    let parent = otel.active();
    const attributes: Record<string, string> = {};
    if (ctx.getType() === 'rpc') {
      const rpc = ctx.switchToRpc().getContext<{ getArgs?: () => unknown[] }>();
      const args = rpc.getArgs?.() ?? [];
      const subject = String((args[0] as string | undefined) ?? 'message'); // a Nest RPC context's first argument is the subject
      const headers = args[1] as HeaderBag | undefined;
      if (headers && typeof headers.get === 'function') parent = contextFromHeaders((k) => headers.get(k) || undefined);
      name = `handle ${subject}`;
      attributes['messaging.system'] = 'nats';
      attributes['messaging.destination.name'] = subject;
    } else {
      const req = ctx.switchToHttp().getRequest<{ method: string; routeOptions?: { url?: string }; url: string }>();
      name = `${req.method} ${req.routeOptions?.url ?? req.url.split('?')[0]}`;
      attributes['http.request.method'] = req.method;
      attributes['url.path'] = req.url.split('?')[0] ?? '';
    }
    return new Observable((subscriber) => {
      const span = tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
      const sub = otel.with(trace.setSpan(parent, span), () =>
        next.handle().subscribe({
          next: (v) => subscriber.next(v),
          error: (e: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
            span.end();
            subscriber.error(e);
          },
          complete: () => {
            span.end();
            subscriber.complete();
          },
        }),
      );
      return () => sub.unsubscribe();
    });
  }
}
