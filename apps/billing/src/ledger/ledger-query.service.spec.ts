import { LedgerListQuery } from '@switchboard/contracts';
import type { LedgerEntry } from '@switchboard/db';
import { LedgerQueryService } from './ledger-query.service';
import type { LedgerFilter, LedgerPage, LedgerReader } from './ledger.repository';

class FakeLedgerReader implements LedgerReader {
  readonly asked: { filter: LedgerFilter; limit: number; offset: number }[] = [];
  constructor(private readonly result: LedgerPage) {}
  page(filter: LedgerFilter, limit: number, offset: number): Promise<LedgerPage> {
    this.asked.push({ filter, limit, offset });
    return Promise.resolve(this.result);
  }
}

const entry: LedgerEntry = {
  id: 9n,
  userId: 2,
  tokenId: 3,
  requestId: 'r-9',
  kind: 'usage',
  amountMicros: -1_500n,
  createdAt: new Date('2026-01-02T03:04:05.000Z'),
};

describe('LedgerQueryService', () => {
  it('passes the parsed filter and paging to the ledger and answers the page in dollars', async () => {
    const ledger = new FakeLedgerReader({ rows: [entry], total: 7, sumMicros: -12_000n });
    const reply = await new LedgerQueryService(ledger).list(LedgerListQuery.parse({ userId: '2', kind: 'usage', limit: '1', offset: '3' }));
    expect(ledger.asked).toEqual([{ filter: { userId: 2, tokenId: undefined, kind: 'usage', requestId: undefined }, limit: 1, offset: 3 }]);
    expect(reply).toEqual({
      data: [{ id: 9, userId: 2, tokenId: 3, requestId: 'r-9', kind: 'usage', amount: -0.0015, createdAt: '2026-01-02T03:04:05.000Z' }],
      total: 7,
      sum: -0.012,
    });
  });

  it('pages 50 from the newest by default and refuses a limit above 500', async () => {
    const ledger = new FakeLedgerReader({ rows: [], total: 0, sumMicros: 0n });
    const service = new LedgerQueryService(ledger);
    await service.list(LedgerListQuery.parse({}));
    expect(ledger.asked[0]).toMatchObject({ limit: 50, offset: 0 });
    expect(LedgerListQuery.safeParse({ limit: '501' }).success).toBe(false);
  });
});
