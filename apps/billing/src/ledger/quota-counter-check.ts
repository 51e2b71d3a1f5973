import { txidOfField, type PendingCharge, type QuotaCounterSnapshot } from '@switchboard/limits';

/** A reservation this old can no longer be settled: its lease record is gone (LEASE_RECORD_TTL_MS in libs/limits). */
export const ABANDONED_RESERVATION_MS = 24 * 3_600_000;
/**
 * A settled cost the ledger has not received after this long is taken as lost and given back to the counter. Safe
 * either way: if the record does arrive later, the next run sees the ledger debit and takes the money again.
 */
export const UNCONFIRMED_SETTLED_MS = 3_600_000;

export interface CounterCheck {
  /** What the counter should hold: the DB's view less what it has taken that the ledger does not have yet. */
  expectedMicros: number;
  /** counter - expected (0 when consistent) */
  driftMicros: number;
  /** Pending charges to forget: settled ones the ledger holds, and stale ones given back. */
  forget: Record<string, PendingCharge>;
  /** Micros of the stale charges, given back to the counter. */
  givenBackMicros: number;
  /** Stale charges given back, by state (a billed entry is never stale). */
  reaped: Record<'reserved' | 'settled', number>;
}

/** What the DB snapshot (taken before the counters were read) holds of the counters' pending entries. */
export interface LedgerView {
  /** the ledger's cost of each pending request id it holds */
  billed: ReadonlyMap<string, number>;
  /** the billing transactions (of billed entries) that had committed */
  committed: ReadonlySet<string>;
}

/**
 * Compares one counter with the ledger (pure: quota-counter-reconciler.service.ts reads the inputs consistently).
 * `viewMicros` is the DB's view of the account (a user's balance, a token's quota - used), `ledger` what the same DB
 * snapshot holds of the pending entries.
 */
export function checkCounter(counter: QuotaCounterSnapshot & { remainingMicros: number }, viewMicros: number, ledger: LedgerView, nowMs: number): CounterCheck {
  let expected = viewMicros;
  let givenBack = 0;
  const forget: Record<string, PendingCharge> = {};
  const reaped = { reserved: 0, settled: 0 };
  for (const [requestId, charge] of Object.entries(counter.pending)) {
    if (charge.state === 'billed') {
      // Committed, so in every later snapshot: in this one's view already, or still to subtract.
      if (ledger.committed.has(txidOfField(requestId) ?? '')) forget[requestId] = charge;
      else expected -= charge.micros;
      continue;
    }
    const cost = ledger.billed.get(requestId);
    if (cost !== undefined) {
      // In the view already. A reservation still to be settled will become its cost: count it as that now.
      if (charge.state === 'reserved') expected -= charge.micros - cost;
      else forget[requestId] = charge;
      continue;
    }
    expected -= charge.micros;
    const maxAge = charge.state === 'reserved' ? ABANDONED_RESERVATION_MS : UNCONFIRMED_SETTLED_MS;
    if (nowMs - charge.sinceMs > maxAge) {
      forget[requestId] = charge;
      givenBack += charge.micros;
      reaped[charge.state]++;
    }
  }
  return { expectedMicros: expected, driftMicros: counter.remainingMicros - expected, forget, givenBackMicros: givenBack, reaped };
}
