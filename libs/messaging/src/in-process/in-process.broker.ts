import type { InProcessServer } from './in-process.server';

/**
 * The process-wide meeting point of in-process servers and clients: the standalone mode's stand-in for NATS.
 * Payloads are JSON round-tripped on the way in and out, so a handler sees exactly what it would over NATS.
 */
export class InProcessBroker {
  private readonly servers = new Set<InProcessServer>();
  /** Where events also go beyond this process (a primary forwards them to its relay workers). */
  private readonly taps = new Set<(pattern: string, data: unknown) => void>();

  register(server: InProcessServer): void {
    this.servers.add(server);
  }

  unregister(server: InProcessServer): void {
    this.servers.delete(server);
  }

  /** Calls `forward` with every event emitted here from now on; returns the way to stop. */
  tap(forward: (pattern: string, data: unknown) => void): () => void {
    this.taps.add(forward);
    return () => this.taps.delete(forward);
  }

  hasRequestHandler(pattern: string): boolean {
    for (const server of this.servers) if (server.hasRequestHandler(pattern)) return true;
    return false;
  }

  async request(pattern: string, data: unknown): Promise<unknown> {
    for (const server of this.servers) {
      if (server.hasRequestHandler(pattern)) {
        const reply = await server.invoke(pattern, clone(data));
        return clone(reply);
      }
    }
    // Same meaning as NATS "503 no responders".
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the plain RPC error shape Nest's clients receive from NATS
    throw { domainError: { code: 'no_responders', status: 503, message: `no service answers ${pattern}` } };
  }

  emit(pattern: string, data: unknown): void {
    this.deliver(pattern, data);
    for (const forward of this.taps) forward(pattern, data);
  }

  /** To this process's handlers only (an event that came from another process, which has forwarded it already). */
  deliver(pattern: string, data: unknown): void {
    for (const server of this.servers) {
      if (server.hasEventHandler(pattern)) void server.dispatch(pattern, clone(data));
    }
  }
}

function clone(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

export const defaultBroker = new InProcessBroker();
