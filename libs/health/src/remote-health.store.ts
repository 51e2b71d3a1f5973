import type { Ban, BanTarget, HealthStore, Outcome, SuccessCount, WindowStats } from './health.types';

/** Calls a method of the store that lives in another process (arguments and result as JSON). */
export type RemoteHealthCall = (method: string, args: unknown[]) => Promise<unknown>;

/**
 * A HealthStore that lives in another process: a standalone relay worker's view of its primary's in-memory store, the
 * one the router's probes read. Error-rate windows and bans are counted once for all workers, as by one process.
 */
export class RemoteHealthStore implements HealthStore {
  constructor(private readonly remote: RemoteHealthCall) {}

  record(outcome: Outcome): Promise<Ban[]> {
    return this.remote('record', [outcome]) as Promise<Ban[]>;
  }

  recordSuccesses(batch: SuccessCount[]): Promise<void> {
    return this.remote('recordSuccesses', [batch]) as Promise<void>;
  }

  setBan(ban: Ban): Promise<void> {
    return this.remote('setBan', [ban]) as Promise<void>;
  }

  liftBan(target: BanTarget): Promise<boolean> {
    return this.remote('liftBan', [target]) as Promise<boolean>;
  }

  bans(nowMs?: number): Promise<Ban[]> {
    return this.remote('bans', [nowMs]) as Promise<Ban[]>;
  }

  channelWindow(channelId: number, nowMs?: number): Promise<WindowStats> {
    return this.remote('channelWindow', [channelId, nowMs]) as Promise<WindowStats>;
  }

  /** The store is the primary's: it closes with it. */
  async close(): Promise<void> {}
}

/** The primary's side of RemoteHealthStore: runs a worker's call on the real store. */
export function serveHealthStoreCall(store: HealthStore, method: string, args: unknown[]): Promise<unknown> {
  switch (method) {
    case 'record':
      return store.record(args[0] as Outcome);
    case 'recordSuccesses':
      return store.recordSuccesses(args[0] as SuccessCount[]);
    case 'setBan':
      return store.setBan(args[0] as Ban);
    case 'liftBan':
      return store.liftBan(args[0] as BanTarget);
    case 'bans':
      return store.bans(args[0] as number | undefined);
    case 'channelWindow':
      return store.channelWindow(args[0] as number, args[1] as number | undefined);
    default:
      return Promise.reject(new Error(`HealthStore has no method ${method}`));
  }
}
