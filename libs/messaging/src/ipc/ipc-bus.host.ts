import { defaultBroker, type InProcessBroker } from '../in-process/in-process.broker';
import { BUS_TARGET } from './ipc-bus.client';
import type { IpcLink } from './ipc-link';

/**
 * The primary's side of IpcBusClient: a worker's request is answered by the primary's services; a worker's event
 * reaches the primary's services and every other worker; an event emitted in the primary reaches every worker. So
 * each event is seen once by every process, as NATS delivers it to every gateway replica.
 */
export class IpcBusHost {
  private readonly links = new Set<IpcLink>();
  private readonly untap: () => void;

  constructor(private readonly broker: InProcessBroker = defaultBroker) {
    this.untap = broker.tap((pattern, data) => {
      for (const link of this.links) link.notify(BUS_TARGET, 'event', [pattern, data]);
    });
  }

  /** Serves one worker; returns the way to forget it. */
  attach(link: IpcLink): () => void {
    this.links.add(link);
    link.serve(BUS_TARGET, (method, [pattern, data]) => {
      if (method !== 'request') throw new Error(`bus: no method ${method}`);
      return this.broker.request(pattern as string, data);
    });
    link.listen(BUS_TARGET, (method, [pattern, data]) => {
      if (method !== 'emit') return;
      this.broker.deliver(pattern as string, data);
      for (const other of this.links) if (other !== link) other.notify(BUS_TARGET, 'event', [pattern, data]);
    });
    return () => this.links.delete(link);
  }

  close(): void {
    this.untap();
    this.links.clear();
  }
}
