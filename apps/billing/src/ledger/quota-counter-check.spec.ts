import { ABANDONED_RESERVATION_MS, UNCONFIRMED_SETTLED_MS, checkCounter } from './quota-counter-check';

const NOW = 1_800_000_000_000;
const counter = (remainingMicros: number, pending: Parameters<typeof checkCounter>[0]['pending']) => ({
  account: 'user:1',
  epoch: 'e',
  remainingMicros,
  pending,
});

const ledger = (billed: [string, number][] = [], committed: string[] = []) => ({ billed: new Map(billed), committed: new Set(committed) });

describe('checkCounter (one quota counter against the ledger)', () => {
  it('is consistent when the counter equals the view less what is pending and unbilled', () => {
    const c = counter(10_000 - 4_000 - 700, {
      a: { state: 'reserved', micros: 4_000, sinceMs: NOW - 10 },
      b: { state: 'settled', micros: 700, sinceMs: NOW - 10 },
    });
    expect(checkCounter(c, 10_000, ledger(), NOW)).toEqual({
      expectedMicros: 5_300,
      driftMicros: 0,
      forget: {},
      givenBackMicros: 0,
      reaped: { reserved: 0, settled: 0 },
    });
  });

  it('forgets settled charges the ledger holds; a billed reservation counts as its billed cost until it settles', () => {
    const settled = { state: 'settled' as const, micros: 700, sinceMs: NOW - 10 };
    // view already has both costs (700 and 300); the counter still holds the 4000 reservation of b
    const c = counter(10_000 - 700 - 4_000, { a: settled, b: { state: 'reserved', micros: 4_000, sinceMs: NOW - 10 } });
    const r = checkCounter(
      c,
      10_000 - 700 - 300,
      ledger([
        ['a', 700],
        ['b', 300],
      ]),
      NOW,
    );
    expect(r).toMatchObject({ expectedMicros: 10_000 - 700 - 4_000, driftMicros: 0, forget: { a: settled } });
  });

  it('reports drift as counter - expected', () => {
    expect(checkCounter(counter(5, {}), 1_000, ledger(), NOW).driftMicros).toBe(-995);
  });

  it('gives back reservations past the lease lifetime and settled costs the ledger never received', () => {
    const old = { state: 'reserved' as const, micros: 7_000, sinceMs: NOW - ABANDONED_RESERVATION_MS - 1 };
    const lost = { state: 'settled' as const, micros: 2_000, sinceMs: NOW - UNCONFIRMED_SETTLED_MS - 1 };
    const young = { state: 'reserved' as const, micros: 50, sinceMs: NOW - UNCONFIRMED_SETTLED_MS - 1 };
    const r = checkCounter(counter(10_000 - 9_050, { old, lost, young }), 10_000, ledger(), NOW);
    expect(r).toEqual({ expectedMicros: 950, driftMicros: 0, forget: { old, lost }, givenBackMicros: 9_000, reaped: { reserved: 1, settled: 1 } });
  });

  it('forgets a billed entry whose transaction the snapshot sees, and subtracts one it does not (however old)', () => {
    const seen = { state: 'billed' as const, micros: 1_200, sinceMs: NOW - 10 };
    const unseen = { state: 'billed' as const, micros: 800, sinceMs: NOW - ABANDONED_RESERVATION_MS - 1 };
    // the view holds transaction 41's 1 200 µ$, not yet 42's 800 µ$; the counter has taken both
    const c = counter(10_000 - 1_200 - 800, { '#tx:41': seen, '#tx:42': unseen });
    expect(checkCounter(c, 10_000 - 1_200, ledger([], ['41']), NOW)).toEqual({
      expectedMicros: 8_000,
      driftMicros: 0,
      forget: { '#tx:41': seen },
      givenBackMicros: 0,
      reaped: { reserved: 0, settled: 0 },
    });
    // Taking a billed entry as already in the view would read 800 µ$ of drift.
    expect(checkCounter(c, 10_000 - 1_200, ledger([], ['41', '42']), NOW).driftMicros).toBe(-800);
  });
});
