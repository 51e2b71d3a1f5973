import { ClientProxy, type MsPattern, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { defaultBroker, type InProcessBroker } from './in-process.broker';

/** The client side of the in-process transport: `send`/`emit` reach InProcessServer handlers of this process. */
export class InProcessClient extends ClientProxy {
  constructor(private readonly broker: InProcessBroker = defaultBroker) {
    super();
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    /* nothing to release */
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pattern = this.normalizePattern(packet.pattern as MsPattern);
    this.broker.request(pattern, packet.data).then(
      (response) => callback({ response, isDisposed: true }),
      (err: unknown) => callback({ err, isDisposed: true }),
    );
    return () => undefined;
  }

  protected dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    this.broker.emit(this.normalizePattern(packet.pattern as MsPattern), packet.data);
    return Promise.resolve(undefined as T);
  }
}
