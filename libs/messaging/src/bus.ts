import { Inject, Injectable, Logger } from '@nestjs/common';
import { ClientNats, NatsRecordBuilder, type ClientProxy } from '@nestjs/microservices';
import { SpanKind, inSpan, traceHeaders } from '@switchboard/observability';
import { headers as natsHeaders } from 'nats';
import { DomainError, type Subject } from '@switchboard/contracts';
import { firstValueFrom, timeout } from 'rxjs';

export const BUS_CLIENT = Symbol('BUS_CLIENT');

/** Typed request/reply and events over whichever transport the process runs on (NATS or in-process). */
@Injectable()
export class Bus {
  private readonly logger = new Logger(Bus.name);

  constructor(@Inject(BUS_CLIENT) private readonly client: ClientProxy) {}

  async request<TReply>(subject: Subject, payload: unknown, timeoutMs = 5_000): Promise<TReply> {
    return inSpan(`request ${subject}`, SpanKind.CLIENT, { 'messaging.system': 'nats', 'messaging.destination.name': subject }, async () => {
      try {
        return await firstValueFrom(this.client.send<TReply>(subject, this.withTraceContext(payload)).pipe(timeout(timeoutMs)));
      } catch (err) {
        throw toDomainError(err, subject);
      }
    });
  }

  /** Over NATS the trace context travels in the message headers; in process it follows the async context. */
  private withTraceContext(payload: unknown): unknown {
    if (!(this.client instanceof ClientNats)) return payload;
    const carrier = traceHeaders();
    if (!carrier.traceparent) return payload;
    const h = natsHeaders();
    for (const [k, v] of Object.entries(carrier)) h.set(k, v);
    return new NatsRecordBuilder(payload).setHeaders(h).build();
  }

  emit(subject: Subject, payload: unknown): void {
    this.client.emit(subject, this.withTraceContext(payload)).subscribe({
      error: (err: unknown) => this.logger.warn(`emit ${subject} failed: ${(err as Error)?.message ?? String(err)}`),
    });
  }
}

export function toDomainError(err: unknown, subject: string): DomainError {
  if (err instanceof DomainError) return err;
  if (DomainError.is(err)) return DomainError.from(err);
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError') return new DomainError('bus_timeout', 503, `${subject}: no reply in time`);
  const message = (err as { message?: string })?.message ?? String(err);
  return new DomainError('bus_error', 503, `${subject}: ${message}`);
}
