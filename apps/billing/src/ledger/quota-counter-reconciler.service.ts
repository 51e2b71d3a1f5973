import { Inject, Injectable, Logger } from '@nestjs/common';
import { microsToUsd } from '@switchboard/db';
import { LIMIT_STORE, isBudgetAccount, txidOfField, type BilledCharge, type LimitStore, type QuotaCorrection } from '@switchboard/limits';
import { checkCounter } from './quota-counter-check';
import { LogThrottle, processMetrics } from '@switchboard/observability';
import { BILLING_SETTINGS, type BillingSettings } from '../config/billing.settings';
import { PeriodicCheck } from './periodic-check';
import { QuotaViewRepository, type AccountKind, type QuotaViews } from './quota-view.repository';

/** Accounts per snapshot + ledger query. */
const BATCH = 500;
const MAX_LOGGED = 20;

export interface CounterDrift {
  account: string;
  /** The counter when read. */
  counterMicros: number;
  /** What it should have been: the DB's view less what is pending and not yet in the ledger. */
  expectedMicros: number;
}

export interface QuotaReconciliationReport {
  checkedAt: Date;
  /** false: another billing replica was reconciling, nothing was checked. */
  ran: boolean;
  checked: number;
  drifts: CounterDrift[];
  driftMicros: Record<'tokens' | 'users', number>;
  corrected: number;
  reaped: Record<'reserved' | 'settled', number>;
}

/** A run started by noteBilled follows the previous one by at least this much: a run scans every counter (Redis SCAN). */
const MIN_EARLY_RUN_GAP_MS = 5_000;

const kindOf = (account: string): 'users' | 'tokens' => (account.startsWith('user:') ? 'users' : 'tokens');

function parseAccount(account: string): { kind: AccountKind; id: number } | null {
  const m = /^(token|user):(\d+)$/.exec(account);
  return m ? { kind: m[1] as AccountKind, id: Number(m[2]) } : null;
}

/**
 * Reconciles the gateways' quota counters (the Redis Lua counters shared by the replicas; the in-memory store in
 * standalone) with the ledger, at start and every QUOTA_RECONCILE_INTERVAL_MS, and corrects them.
 *
 * A counter is right when it equals the DB's view of its account (a user's balance, a token's quota - used; both move
 * with the ledger in one transaction) less what the counter has taken that the ledger has not: every pending charge
 * the store keeps per account (reservations of live leases, settled costs not yet billed). Per batch of accounts:
 *
 *   1. open a REPEATABLE READ transaction and read the DB's view (this fixes the DB snapshot);
 *   2. snapshot the counters and their pending charges (one atomic store call);
 *   3. ask the same DB snapshot which of those pending request ids the ledger holds.
 *
 * Because the DB snapshot comes first, every request it has billed was admitted before step 2, so it is either in
 * the pending set (and step 3 says billed) or was confirmed by an earlier run: nothing in flight can look like drift.
 * A charge billed before its lease settled still holds its reservation, which settle will turn into the cost, so it
 * counts as the cost now. Then each counter gets `expected - counter` added, billed settled charges are forgotten and
 * stale ones given back, atomically per counter and only within the counter's epoch (a counter re-initialised
 * meanwhile is left for the next run). A Postgres advisory lock keeps billing replicas from reconciling at once.
 *
 * Billing folds what each debit transaction committed into one billed entry per counter right after the commit
 * (billed()), so a counter holds one entry per billing batch, not one per request, and step 3 asks for those only
 * whether the snapshot sees their transaction: a fold that lands between steps 1 and 2 is of a transaction the
 * snapshot does not see, so its money is still subtracted. What billing could not fold (a reservation not settled
 * yet, a store it could not reach) stays per request for step 3's ledger lookup; past QUOTA_RECONCILE_AFTER_CHARGES
 * such requests billing also starts a run early.
 */
@Injectable()
export class QuotaCounterReconciler extends PeriodicCheck<QuotaReconciliationReport> {
  private readonly logger = new Logger(QuotaCounterReconciler.name);
  private readonly metrics = processMetrics();
  // one line per interval while the store is unreachable (every billing batch would otherwise log)
  private readonly foldFailures = new LogThrottle((line) => this.logger.warn(line));
  private billedSinceRun = 0;
  private lastRunAt = 0;

  constructor(
    @Inject(QuotaViewRepository) private readonly views: QuotaViews,
    @Inject(LIMIT_STORE) private readonly store: LimitStore,
    @Inject(BILLING_SETTINGS) private readonly settings: BillingSettings,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.settings.quotaReconcileIntervalMs;
  }

  override async onApplicationShutdown(): Promise<void> {
    await super.onApplicationShutdown();
    await this.store.close();
  }

  protected failed(e: Error): void {
    this.metrics.quotaReconciliations.inc({ result: 'error' });
    this.logger.warn(`quota counter reconciliation failed: ${e.message}`);
  }

  /**
   * Billing's debit transaction `txid` (committed) billed these charges: fold their settled entries into billed
   * entries, then count the requests none of whose entries were folded. Never throws: what is not folded, a run
   * confirms from the ledger.
   */
  async billed(txid: string, charges: BilledCharge[]): Promise<void> {
    let folded = 0;
    try {
      folded = await this.store.confirmBilled(txid, charges);
    } catch (e) {
      this.foldFailures.log(`billed charges of transaction ${txid} not folded (a reconciliation confirms them): ${(e as Error).message}`);
    }
    this.noteBilled(charges.length - folded);
  }

  /** `count` billed requests may still be pending per request: past the threshold (and 5 s after the last run start), reconcile now. */
  noteBilled(count: number): void {
    this.billedSinceRun += count;
    const after = this.settings.quotaReconcileAfterCharges;
    if (after <= 0 || this.billedSinceRun < after || Date.now() - this.lastRunAt < MIN_EARLY_RUN_GAP_MS) return;
    void this.reconcile().catch(() => undefined);
  }

  async check(): Promise<QuotaReconciliationReport> {
    // Counted from the run's start: charges billed during it may be read by it or not, the next run sees them.
    this.billedSinceRun = 0;
    this.lastRunAt = Date.now();
    const report: QuotaReconciliationReport = {
      checkedAt: new Date(),
      ran: true,
      checked: 0,
      drifts: [],
      driftMicros: { tokens: 0, users: 0 },
      corrected: 0,
      reaped: { reserved: 0, settled: 0 },
    };
    for await (const found of this.store.quotaAccounts()) {
      for (let i = 0; i < found.length; i += BATCH) {
        if (!(await this.checkBatch(found.slice(i, i + BATCH), report))) return { ...report, ran: false };
      }
    }
    return report;
  }

  /** false when another replica holds the reconciliation lock. */
  private async checkBatch(batch: string[], report: QuotaReconciliationReport): Promise<boolean> {
    const accounts = batch.map((a) => ({ account: a, parsed: parseAccount(a) })).filter((a) => a.parsed !== null);
    // A budget's period counter has no DB view to correct it to: only its pending charges are confirmed and reaped.
    const budgets = batch.filter(isBudgetAccount);
    if (!accounts.length && !budgets.length) return true;
    const ids = (kind: AccountKind) => accounts.filter((a) => a.parsed!.kind === kind).map((a) => a.parsed!.id);
    return this.views.inSnapshot(async (db) => {
      // 1. The DB snapshot: the first statement of a REPEATABLE READ transaction fixes it.
      if (!(await db.tryLock())) return false;
      const views = await db.remaining(ids('user'), ids('token'));
      const view = new Map(views.map((v) => [`${v.kind}:${v.id}`, v.remainingMicros]));

      // 2. The counters and what they hold pending, atomically.
      const snapshot = await this.store.snapshotQuota([...accounts.filter((a) => view.has(a.account)).map((a) => a.account), ...budgets]);

      // 3. Which of those charges the ledger (as of 1.) holds, at what cost, and which billing transactions it sees.
      const requestIds = new Set<string>();
      const txids = new Set<string>();
      for (const c of snapshot.counters) {
        for (const field of Object.keys(c.pending)) {
          const txid = txidOfField(field);
          if (txid === null) requestIds.add(field);
          else txids.add(txid);
        }
      }
      const ledger = { billed: await db.billedCosts([...requestIds]), committed: await db.committed([...txids]) };

      const corrections: QuotaCorrection[] = [];
      for (const c of snapshot.counters) {
        if (c.remainingMicros === null || c.epoch === null) continue; // gone since the scan
        if (isBudgetAccount(c.account)) {
          const check = checkCounter({ ...c, remainingMicros: c.remainingMicros }, 0, ledger, snapshot.nowMs);
          if (Object.keys(check.forget).length)
            corrections.push({ account: c.account, epoch: c.epoch, deltaMicros: check.givenBackMicros, forget: check.forget });
          continue;
        }
        report.checked++;
        const check = checkCounter({ ...c, remainingMicros: c.remainingMicros }, view.get(c.account)!, ledger, snapshot.nowMs);
        report.reaped.reserved += check.reaped.reserved;
        report.reaped.settled += check.reaped.settled;
        if (check.driftMicros !== 0) {
          report.drifts.push({ account: c.account, counterMicros: c.remainingMicros, expectedMicros: check.expectedMicros });
          report.driftMicros[kindOf(c.account)] += Math.abs(check.driftMicros);
        }
        if (check.driftMicros !== 0 || check.givenBackMicros !== 0 || Object.keys(check.forget).length) {
          corrections.push({ account: c.account, epoch: c.epoch, deltaMicros: check.givenBackMicros - check.driftMicros, forget: check.forget });
        }
      }
      // Applied while the lock is held, so a second replica cannot compute from a state this one is changing.
      const applied = await this.store.correctQuota(corrections);
      const drifted = new Set(report.drifts.map((d) => d.account));
      corrections.forEach((c, i) => {
        if (!applied[i] || !drifted.has(c.account)) return;
        report.corrected++;
        this.metrics.quotaCounterCorrections.inc({ account: kindOf(c.account) });
      });
      return true;
    });
  }

  protected publish(r: QuotaReconciliationReport): void {
    if (!r.ran) {
      this.metrics.quotaReconciliations.inc({ result: 'skipped' });
      return;
    }
    this.metrics.quotaCounterDrift.set({ account: 'users' }, r.driftMicros.users);
    this.metrics.quotaCounterDrift.set({ account: 'tokens' }, r.driftMicros.tokens);
    this.metrics.quotaPendingReaped.inc({ state: 'reserved' }, r.reaped.reserved);
    this.metrics.quotaPendingReaped.inc({ state: 'settled' }, r.reaped.settled);
    if (!r.drifts.length) {
      this.metrics.quotaReconciliations.inc({ result: 'consistent' });
      return;
    }
    this.metrics.quotaReconciliations.inc({ result: 'corrected' });
    this.logger.warn(`quota counters drifted from the ledger: ${r.drifts.length} of ${r.checked} (${r.corrected} corrected)`);
    for (const d of r.drifts.slice(0, MAX_LOGGED)) {
      this.logger.warn(`  ${d.account}: counter ${d.counterMicros} µ$, ledger view ${d.expectedMicros} µ$ (drift ${d.counterMicros - d.expectedMicros} µ$)`);
    }
  }

  /** The `quotaCounters` part of `GET /api/ledger/reconciliation` (runs a reconciliation). */
  async reportBody(): Promise<Record<string, unknown>> {
    const r = await this.reconcile();
    const usd = (m: number) => microsToUsd(BigInt(m));
    return {
      checkedAt: r.checkedAt.toISOString(),
      ran: r.ran,
      checked: r.checked,
      drifted: r.drifts.length,
      corrected: r.corrected,
      drift: { users: usd(r.driftMicros.users), tokens: usd(r.driftMicros.tokens) },
      reaped: r.reaped,
      drifts: r.drifts.slice(0, 100).map((d) => ({
        account: d.account,
        counter: usd(d.counterMicros),
        expected: usd(d.expectedMicros),
        drift: usd(d.counterMicros - d.expectedMicros),
      })),
    };
  }
}
