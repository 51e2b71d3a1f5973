import { Logger } from '@nestjs/common';
import { processMetrics } from '@switchboard/observability';
import type { BillingSettings } from '../config/billing.settings';
import { LedgerReconciler } from './ledger-reconciler.service';
import type { AccountCheck, Drift, LedgerChecks } from './ledger.repository';

const SETTINGS: BillingSettings = {
  lowBalanceThresholdMicros: 1_000_000n,
  reconcileIntervalMs: 600_000,
  quotaReconcileIntervalMs: 600_000,
  quotaReconcileAfterCharges: 0,
};

class FakeLedgerChecks implements LedgerChecks {
  lowAskedFor?: bigint;
  constructor(
    private readonly users: AccountCheck & { low: number },
    private readonly tokens: AccountCheck,
  ) {}
  userDrifts(lowMicros: bigint): Promise<AccountCheck & { low: number }> {
    this.lowAskedFor = lowMicros;
    return Promise.resolve(this.users);
  }
  tokenDrifts(): Promise<AccountCheck> {
    return Promise.resolve(this.tokens);
  }
}

const drift = (account: Drift['account'], id: number, recordedMicros: bigint, ledgerMicros: bigint): Drift => ({ account, id, recordedMicros, ledgerMicros });
const gauge = async (name: 'ledgerDrift' | 'ledgerDriftedAccounts', account: string) =>
  (await processMetrics()[name].get()).values.find((v) => v.labels.account === account)?.value;

describe('LedgerReconciler', () => {
  beforeAll(() => Logger.overrideLogger(['fatal'])); // drift is logged as an error, on purpose here

  it('sums drift in absolute value per account kind and counts what was checked', async () => {
    const ledger = new FakeLedgerChecks(
      { checked: 10, low: 3, drifts: [drift('user', 1, 90n, 100n), drift('user', 2, 105n, 100n)] },
      { checked: 4, drifts: [drift('token', 7, 107n, 100n)] },
    );
    const r = await new LedgerReconciler(ledger, SETTINGS).check();
    expect(ledger.lowAskedFor).toBe(1_000_000n);
    expect(r).toMatchObject({
      users: { checked: 10, drifted: 2, driftMicros: 15n },
      tokens: { checked: 4, drifted: 1, driftMicros: 7n },
      lowBalanceUsers: 3,
    });
    expect(r.drifts.map((d) => `${d.account}:${d.id}`)).toEqual(['user:1', 'user:2', 'token:7']);
  });

  it('publishes the drift gauges and answers the report in dollars', async () => {
    const ledger = new FakeLedgerChecks({ checked: 1, low: 0, drifts: [drift('user', 1, 0n, 2_500_000n)] }, { checked: 0, drifts: [] });
    const reply = await new LedgerReconciler(ledger, SETTINGS).report();
    expect(await gauge('ledgerDrift', 'users')).toBe(2_500_000);
    expect(await gauge('ledgerDriftedAccounts', 'tokens')).toBe(0);
    expect(reply).toMatchObject({ consistent: false, users: { drift: 2.5 }, drifts: [{ account: 'user', id: 1, recorded: 0, ledger: 2.5, drift: -2.5 }] });
  });
});
