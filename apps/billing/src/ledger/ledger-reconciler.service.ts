import { Inject, Injectable, Logger } from '@nestjs/common';
import { PrismaService, microsToUsd } from '@switchboard/db';
import { processMetrics } from '@switchboard/observability';
import { BILLING_SETTINGS, type BillingSettings } from '../config/billing.settings';
import { PeriodicCheck } from './periodic-check';

export interface Drift {
  account: 'user' | 'token';
  id: number;
  /** users.balanceMicros or tokens.usedQuotaMicros */
  recordedMicros: bigint;
  /** what the ledger says it should be (for a user: its adjustments + the sum of its entries) */
  ledgerMicros: bigint;
}

export interface ReconciliationReport {
  checkedAt: Date;
  users: { checked: number; drifted: number; driftMicros: bigint };
  tokens: { checked: number; drifted: number; driftMicros: bigint };
  lowBalanceUsers: number;
  drifts: Drift[];
}

const MAX_LOGGED = 20;
const abs = (x: bigint) => (x < 0n ? -x : x);

/**
 * Checks that balances derive from the ledger: every limited user's balance equals its adjustments (opening balance
 * and admin edits, kept by the users_balance_adjustment trigger) plus the sum of its ledger entries, and every
 * token's used quota equals the sum of its usage debits. Each check is one SQL statement, so it reads one
 * snapshot and a bill committing meanwhile (ledger row + balance move in one transaction) cannot look like drift.
 * Drift is reported (metric, log, `GET /api/ledger/reconciliation`), never "fixed": a correction is a decision
 * for a human, made as an adjustment.
 */
@Injectable()
export class LedgerReconciler extends PeriodicCheck<ReconciliationReport> {
  private readonly logger = new Logger(LedgerReconciler.name);
  private readonly metrics = processMetrics();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(BILLING_SETTINGS) private readonly settings: BillingSettings,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.settings.reconcileIntervalMs;
  }

  protected failed(e: Error): void {
    this.metrics.ledgerReconciliations.inc({ result: 'error' });
    this.logger.warn(`ledger reconciliation failed: ${e.message}`);
  }

  async check(): Promise<ReconciliationReport> {
    const users = await this.prisma.$queryRaw<{ id: number; recorded: bigint; ledger: bigint; checked: bigint; low: bigint }[]>`
      WITH sums AS (SELECT "userId", SUM("amountMicros") AS total FROM ledger_entries GROUP BY "userId"),
      limited AS (
        SELECT u.id, u."balanceMicros" AS recorded, (u."adjustmentsMicros" + COALESCE(s.total, 0))::bigint AS ledger
        FROM users u LEFT JOIN sums s ON s."userId" = u.id
        WHERE u."balanceMicros" IS NOT NULL
      ),
      stats AS (SELECT count(*)::bigint AS checked, count(*) FILTER (WHERE recorded < ${this.settings.lowBalanceThresholdMicros})::bigint AS low FROM limited)
      SELECT l.id, l.recorded, l.ledger, stats.checked, stats.low
      FROM stats LEFT JOIN limited l ON l.recorded <> l.ledger
      ORDER BY l.id`;
    const tokens = await this.prisma.$queryRaw<{ id: number; recorded: bigint; ledger: bigint; checked: bigint }[]>`
      WITH sums AS (
        SELECT "tokenId", -SUM("amountMicros") AS total FROM ledger_entries
        WHERE kind = 'usage' AND "tokenId" IS NOT NULL GROUP BY "tokenId"
      ),
      checked AS (
        SELECT t.id, t."usedQuotaMicros" AS recorded, COALESCE(s.total, 0)::bigint AS ledger
        FROM tokens t LEFT JOIN sums s ON s."tokenId" = t.id
      ),
      stats AS (SELECT count(*)::bigint AS checked FROM checked)
      SELECT c.id, c.recorded, c.ledger, stats.checked
      FROM stats LEFT JOIN checked c ON c.recorded <> c.ledger
      ORDER BY c.id`;
    const drifts: Drift[] = [
      ...users
        .filter((r) => r.id !== null)
        .map((r) => ({ account: 'user' as const, id: r.id, recordedMicros: BigInt(r.recorded), ledgerMicros: BigInt(r.ledger) })),
      ...tokens
        .filter((r) => r.id !== null)
        .map((r) => ({ account: 'token' as const, id: r.id, recordedMicros: BigInt(r.recorded), ledgerMicros: BigInt(r.ledger) })),
    ];
    const sum = (account: Drift['account']) => drifts.filter((d) => d.account === account).reduce((s, d) => s + abs(d.recordedMicros - d.ledgerMicros), 0n);
    return {
      checkedAt: new Date(),
      users: { checked: Number(users[0]?.checked ?? 0), drifted: drifts.filter((d) => d.account === 'user').length, driftMicros: sum('user') },
      tokens: { checked: Number(tokens[0]?.checked ?? 0), drifted: drifts.filter((d) => d.account === 'token').length, driftMicros: sum('token') },
      lowBalanceUsers: Number(users[0]?.low ?? 0),
      drifts,
    };
  }

  protected publish(r: ReconciliationReport): void {
    this.metrics.ledgerDrift.set({ account: 'users' }, Number(r.users.driftMicros));
    this.metrics.ledgerDrift.set({ account: 'tokens' }, Number(r.tokens.driftMicros));
    this.metrics.ledgerDriftedAccounts.set({ account: 'users' }, r.users.drifted);
    this.metrics.ledgerDriftedAccounts.set({ account: 'tokens' }, r.tokens.drifted);
    this.metrics.usersLowBalance.set(r.lowBalanceUsers);
    if (!r.drifts.length) {
      this.metrics.ledgerReconciliations.inc({ result: 'consistent' });
      return;
    }
    this.metrics.ledgerReconciliations.inc({ result: 'drift' });
    this.logger.error(
      `ledger drift: ${r.users.drifted} user(s) (${r.users.driftMicros} µ$), ${r.tokens.drifted} token(s) (${r.tokens.driftMicros} µ$); not corrected`,
    );
    for (const d of r.drifts.slice(0, MAX_LOGGED)) {
      this.logger.error(
        `  ${d.account} ${d.id}: recorded ${d.recordedMicros} µ$, ledger says ${d.ledgerMicros} µ$ (drift ${d.recordedMicros - d.ledgerMicros} µ$)`,
      );
    }
  }

  /** The admin view of a reconciliation run now (`GET /api/ledger/reconciliation`, with the quota counters'). */
  async report() {
    const r = await this.reconcile();
    const usd = (m: bigint) => microsToUsd(m);
    return {
      checkedAt: r.checkedAt.toISOString(),
      consistent: r.drifts.length === 0,
      users: { checked: r.users.checked, drifted: r.users.drifted, drift: usd(r.users.driftMicros) },
      tokens: { checked: r.tokens.checked, drifted: r.tokens.drifted, drift: usd(r.tokens.driftMicros) },
      lowBalanceUsers: r.lowBalanceUsers,
      drifts: r.drifts.slice(0, 100).map((d) => ({
        account: d.account,
        id: d.id,
        recorded: usd(d.recordedMicros),
        ledger: usd(d.ledgerMicros),
        drift: usd(d.recordedMicros - d.ledgerMicros),
      })),
    };
  }
}
