import { ClientProxy, type MsPattern, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { defaultBroker, type InProcessBroker } from '../in-process/in-process.broker';
import type { IpcLink } from './ipc-link';

/** The IPC target of the bus in a primary: `request` (answered by its services) and `emit` (an event). */
export const BUS_TARGET = 'bus';

/**
 * The bus of a standalone relay worker: the services (auth, router, billing, log-writer) live in the primary, so a
 * request no handler of this process serves goes there over IPC; an event reaches this process's own handlers and the
 * primary, which delivers it to its services and to the other workers. Events from the primary arrive here and reach
 * the local handlers (the gateway's cache invalidations), as NATS delivers every event to every gateway replica.
 */
export class IpcBusClient extends ClientProxy {
  constructor(
    private readonly link: IpcLink,
    private readonly broker: InProcessBroker = defaultBroker,
  ) {
    super();
    link.listen(BUS_TARGET, (_method, [pattern, data]) => broker.deliver(pattern as string, data));
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    /* the link belongs to the process */
  }

  unwrap<T>(): T {
    return this.link as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pattern = this.normalizePattern(packet.pattern as MsPattern);
    const reply = this.broker.hasRequestHandler(pattern)
      ? this.broker.request(pattern, packet.data)
      : this.link.call(BUS_TARGET, 'request', [pattern, packet.data]);
    reply.then(
      (response) => callback({ response, isDisposed: true }),
      (err: unknown) => callback({ err, isDisposed: true }),
    );
    return () => undefined;
  }

  protected dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = this.normalizePattern(packet.pattern as MsPattern);
    this.broker.deliver(pattern, packet.data);
    this.link.notify(BUS_TARGET, 'emit', [pattern, packet.data]);
    return Promise.resolve(undefined as T);
  }
}
