import { LimitStoreUnavailableError } from './limit-store-unavailable.error';
import type {
  AcquireRequest,
  AcquireResult,
  BilledCharge,
  Lease,
  LimitStore,
  QuotaCorrection,
  QuotaSnapshot,
  SettleResult,
  SettleUsage,
} from './limit-store.types';

/** Calls a method of the store that lives in another process (arguments and result as JSON). */
export type RemoteStoreCall = (method: string, args: unknown[]) => Promise<unknown>;

/**
 * A LimitStore that lives in another process: a standalone relay worker's view of its primary's in-memory store.
 * The primary runs every worker's operations one at a time on that single store, so limits and quota hold exactly as
 * in one process. A call that cannot reach it is LimitStoreUnavailableError, as a Redis outage is (503, not 500).
 */
export class RemoteLimitStore implements LimitStore {
  constructor(private readonly remote: RemoteStoreCall) {}

  private call<T>(method: string, args: unknown[]): Promise<T> {
    return this.remote(method, args).then(
      (v) => v as T,
      (e: unknown) => {
        // The link failed (IpcLinkClosedError): the store could not be asked. What the store itself threw stays as it is.
        throw (e as Error)?.name === 'IpcLinkClosedError' ? new LimitStoreUnavailableError(e) : e;
      },
    );
  }

  acquire(req: AcquireRequest): Promise<AcquireResult> {
    return this.call('acquire', [req]);
  }

  settle(lease: Lease, actual: SettleUsage): Promise<SettleResult> {
    return this.call('settle', [lease, actual]);
  }

  release(lease: Lease): Promise<void> {
    return this.call('release', [lease]);
  }

  setRemaining(quotaKey: string, remainingMicros: number | null): Promise<void> {
    return this.call('setRemaining', [quotaKey, remainingMicros]);
  }

  getRemaining(quotaKey: string): Promise<number | null> {
    return this.call('getRemaining', [quotaKey]);
  }

  markOnce(key: string, ttlMs: number): Promise<boolean> {
    return this.call('markOnce', [key, ttlMs]);
  }

  /** The primary answers every batch at once (its store is in memory: there is no cursor to keep). */
  async *quotaAccounts(): AsyncIterable<string[]> {
    for (const batch of await this.call<string[][]>('quotaAccounts', [])) yield batch;
  }

  snapshotQuota(accounts: string[]): Promise<QuotaSnapshot> {
    return this.call('snapshotQuota', [accounts]);
  }

  correctQuota(corrections: QuotaCorrection[]): Promise<boolean[]> {
    return this.call('correctQuota', [corrections]);
  }

  confirmBilled(txid: string, charges: BilledCharge[]): Promise<number> {
    return this.call('confirmBilled', [txid, charges]);
  }

  ping(): Promise<void> {
    return this.call('ping', []);
  }

  /** The store is the primary's: it closes with it. */
  async close(): Promise<void> {}
}

/** The primary's side of RemoteLimitStore: runs a worker's call on the real store. */
export async function serveLimitStoreCall(store: LimitStore, method: string, args: unknown[]): Promise<unknown> {
  switch (method) {
    case 'acquire':
      return store.acquire(args[0] as AcquireRequest);
    case 'settle':
      return store.settle(args[0] as Lease, args[1] as SettleUsage);
    case 'release':
      return store.release(args[0] as Lease);
    case 'setRemaining':
      return store.setRemaining(args[0] as string, args[1] as number | null);
    case 'getRemaining':
      return store.getRemaining(args[0] as string);
    case 'markOnce':
      return store.markOnce(args[0] as string, args[1] as number);
    case 'quotaAccounts': {
      const batches: string[][] = [];
      for await (const batch of store.quotaAccounts()) batches.push(batch);
      return batches;
    }
    case 'snapshotQuota':
      return store.snapshotQuota(args[0] as string[]);
    case 'correctQuota':
      return store.correctQuota(args[0] as QuotaCorrection[]);
    case 'confirmBilled':
      return store.confirmBilled(args[0] as string, args[1] as BilledCharge[]);
    case 'ping':
      return store.ping();
    default:
      throw new Error(`LimitStore has no method ${method}`);
  }
}
