import { type CustomTransportStrategy, Server, BaseRpcContext } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { defaultBroker, type InProcessBroker } from './in-process.broker';

/** A Nest microservice transport that serves @MessagePattern/@EventPattern handlers inside this process. */
export class InProcessServer extends Server implements CustomTransportStrategy {
  constructor(private readonly broker: InProcessBroker = defaultBroker) {
    super();
  }

  listen(callback: () => void): void {
    this.broker.register(this);
    callback();
  }

  close(): void {
    this.broker.unregister(this);
  }

  on(): void {
    /* no transport-level events */
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  hasRequestHandler(pattern: string): boolean {
    const h = this.messageHandlers.get(pattern);
    return !!h && !h.isEventHandler;
  }

  hasEventHandler(pattern: string): boolean {
    return !!this.messageHandlers.get(pattern)?.isEventHandler;
  }

  async invoke(pattern: string, data: unknown): Promise<unknown> {
    const handler = this.messageHandlers.get(pattern)!;
    const result$ = this.transformToObservable(await handler(data, new BaseRpcContext([pattern])));
    return lastValueFrom(result$, { defaultValue: undefined });
  }

  async dispatch(pattern: string, data: unknown): Promise<void> {
    try {
      await this.handleEvent(pattern, { pattern, data }, new BaseRpcContext([pattern]));
    } catch (err) {
      this.logger.error(`event handler for ${pattern} failed: ${(err as Error).message}`);
    }
  }
}
