import { Logger } from '@nestjs/common';
import type { UsageRecord } from '@switchboard/contracts';
import type { BilledCharge } from '@switchboard/limits';
import type { Bus, UsageQueue } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';
import type { BillingSettings } from '../config/billing.settings';
import type { DebitedBalance, UsageDebit, UsageDebitOutcome, UsageLedger } from '../ledger/usage-ledger.repository';
import { UsageBillingConsumer, crossedBelow } from './usage-billing.consumer';

const SETTINGS: BillingSettings = {
  lowBalanceThresholdMicros: 1_000_000n,
  reconcileIntervalMs: 600_000,
  quotaReconcileIntervalMs: 600_000,
  quotaReconcileAfterCharges: 0,
};

/** The ledger in memory, with the repository's contract: once per request id, balances in user id order. */
class InMemoryUsageLedger implements UsageLedger {
  readonly billed = new Set<string>();
  readonly balances = new Map<number, bigint | null>();
  readonly tokens = new Map<number, { keyHash: string; quota: bigint | null; used: bigint }>();
  readonly deadLetters: { consumer: string; count: number }[] = [];
  calls: UsageDebit[][] = [];

  private txid = 100;

  debit(debits: readonly UsageDebit[]): Promise<UsageDebitOutcome> {
    this.calls.push([...debits]);
    const inserted: UsageDebit[] = [];
    const byUser = new Map<number, DebitedBalance>();
    const exhausted: string[] = [];
    for (const d of debits) {
      if (this.billed.has(d.requestId)) continue;
      this.billed.add(d.requestId);
      inserted.push(d);
      const b = byUser.get(d.userId) ?? { userId: d.userId, debitMicros: 0n, balanceAfterMicros: null, lastRequestId: d.requestId };
      b.debitMicros += BigInt(d.costMicros);
      b.lastRequestId = d.requestId;
      byUser.set(d.userId, b);
      const t = d.tokenId === null ? undefined : this.tokens.get(d.tokenId);
      if (t) {
        t.used += BigInt(d.costMicros);
        if (t.quota !== null && t.used >= t.quota) exhausted.push(t.keyHash);
      }
    }
    const balances = [...byUser.values()].sort((a, b) => a.userId - b.userId);
    for (const b of balances) {
      const before = this.balances.get(b.userId) ?? null;
      b.balanceAfterMicros = before === null ? null : before - b.debitMicros;
      this.balances.set(b.userId, b.balanceAfterMicros);
    }
    return Promise.resolve({ inserted, txid: String(this.txid++), balances, exhaustedKeyHashes: exhausted });
  }

  storeDeadLetters(consumer: string, letters: readonly unknown[]): Promise<number> {
    this.deadLetters.push({ consumer, count: letters.length });
    return Promise.resolve(letters.length);
  }
}

const record = (requestId: string, userId: number | null, costMicros: number, tokenId: number | null = 1): UsageRecord =>
  ({ requestId, userId, tokenId, costMicros }) as UsageRecord;

const processed = async (result: string) =>
  (await processMetrics().usageProcessed.get()).values.find((v) => v.labels.consumer === 'billing' && v.labels.result === result)?.value ?? 0;

describe('UsageBillingConsumer', () => {
  beforeAll(() => Logger.overrideLogger(['fatal'])); // balance-low is logged as a warning, on purpose here
  let ledger: InMemoryUsageLedger;
  let emitted: { subject: string; payload: unknown }[];
  let consumer: UsageBillingConsumer;
  let folded: { txid: string; charges: BilledCharge[] }[];
  const quotaCounters = { billed: (txid: string, charges: BilledCharge[]) => Promise.resolve(void folded.push({ txid, charges })) };

  beforeEach(() => {
    ledger = new InMemoryUsageLedger();
    emitted = [];
    folded = [];
    const bus = { emit: (subject: string, payload: unknown) => void emitted.push({ subject, payload }) } as unknown as Bus;
    consumer = new UsageBillingConsumer(ledger, bus, {} as UsageQueue, SETTINGS, quotaCounters);
  });

  it('sends only records with a user and a cost to the ledger, and counts the rest as free', async () => {
    const free = await processed('free');
    await consumer.bill([record('a', 1, 10), record('anonymous', null, 10), record('zero', 1, 0)]);
    expect(ledger.calls).toEqual([[{ requestId: 'a', userId: 1, tokenId: 1, costMicros: 10 }]]);
    expect((await processed('free')) - free).toBe(2);
  });

  it('does not touch the ledger when nothing is billable', async () => {
    await consumer.bill([record('zero', 1, 0)]);
    expect(ledger.calls).toEqual([]);
  });

  it('counts stored and duplicate records from what the ledger inserted', async () => {
    const [stored, duplicate] = [await processed('stored'), await processed('duplicate')];
    await consumer.bill([record('a', 1, 10), record('b', 1, 10)]);
    await consumer.bill([record('b', 1, 10), record('c', 1, 10)]);
    expect((await processed('stored')) - stored).toBe(3);
    expect((await processed('duplicate')) - duplicate).toBe(1);
  });

  it('hands the quota counters each debit it stored, with its transaction and the counters it was charged on', async () => {
    await consumer.bill([record('a', 1, 10), record('b', 1, 12, null), record('free', 1, 0)]);
    await consumer.bill([record('b', 1, 12, null), record('c', 2, 7, 5)]);
    await consumer.bill([record('c', 2, 7, 5)]); // all redelivered: nothing to fold
    expect(folded).toEqual([
      {
        txid: '100',
        charges: [
          { requestId: 'a', accounts: ['token:1', 'user:1'], costMicros: 10 },
          { requestId: 'b', accounts: ['user:1'], costMicros: 12 },
        ],
      },
      { txid: '101', charges: [{ requestId: 'c', accounts: ['token:5', 'user:2'], costMicros: 7 }] },
    ]);
  });

  it('emits balance-low once, for the debit that crosses below the threshold, naming its last request', async () => {
    ledger.balances.set(7, 1_200_000n);
    const lowEvents = () => emitted.filter((e) => e.subject === 'billing.balance.low.v1');
    const before = (await processMetrics().balanceLowEvents.get()).values[0]?.value ?? 0;
    await consumer.bill([record('l-1', 7, 100_000)]);
    expect(lowEvents()).toHaveLength(0);
    await consumer.bill([record('l-2', 7, 150_000), record('l-3', 7, 1)]);
    await consumer.bill([record('l-4', 7, 1)]);
    expect(lowEvents()).toHaveLength(1);
    expect(lowEvents()[0].payload).toMatchObject({ userId: 7, balanceMicros: 949_999, thresholdMicros: 1_000_000, requestId: 'l-3' });
    expect((await processMetrics().balanceLowEvents.get()).values[0]?.value).toBe(before + 1);
  });

  it('never emits balance-low for an unlimited user', async () => {
    ledger.balances.set(8, null);
    await consumer.bill([record('u-1', 8, 5_000_000)]);
    expect(emitted).toEqual([]);
  });

  it('tells the gateways which keys the debits exhausted', async () => {
    ledger.tokens.set(3, { keyHash: 'h3', quota: 100n, used: 0n });
    await consumer.bill([record('e-1', 1, 60, 3)]);
    expect(emitted).toEqual([]);
    await consumer.bill([record('e-2', 1, 60, 3)]);
    expect(emitted).toEqual([{ subject: 'auth.changed.v1', payload: { keyHashes: ['h3'], all: false } }]);
  });

  it('hands the queue its dead letters for the ledger to keep', async () => {
    let sink: ((consumer: string, letters: { record: unknown; error: string }[]) => Promise<unknown>) | undefined;
    const queue = { consume: (_durable: string, _handler: unknown, deadLetter: typeof sink) => Promise.resolve(void (sink = deadLetter)) };
    await new UsageBillingConsumer(ledger, { emit: () => undefined } as unknown as Bus, queue as unknown as UsageQueue, SETTINGS, {
      billed: () => Promise.resolve(),
    }).onApplicationBootstrap();
    await sink!('billing', [{ record: {}, error: 'boom' }]);
    expect(ledger.deadLetters).toEqual([{ consumer: 'billing', count: 1 }]);
  });
});

describe('crossedBelow', () => {
  const b = (after: bigint | null, debit: bigint): DebitedBalance => ({ userId: 1, debitMicros: debit, balanceAfterMicros: after, lastRequestId: 'r' });
  it.each([
    [1_000_000n, 1n, false], // still at the threshold
    [999_999n, 1n, true], // from exactly the threshold to below
    [999_999n, 0n, false], // already below before
    [500_000n, 600_000n, true],
    [null, 600_000n, false], // unlimited
  ])('balance after %p, debit %p: %p', (after, debit, crossed) => {
    expect(crossedBelow(b(after, debit), 1_000_000n)).toBe(crossed);
  });
});
