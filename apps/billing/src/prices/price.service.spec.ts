import { Logger } from '@nestjs/common';
import { PutPrice } from '@switchboard/contracts';
import type { AuditEntry, Price } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import { DEFAULT_PRICES } from './default-prices';
import type { PriceData, Prices } from './price.repository';
import { PriceService } from './price.service';

class InMemoryPrices implements Prices {
  readonly rows = new Map<string, Price>();
  readonly audits: AuditEntry[] = [];

  private row(model: string, data: PriceData): Price {
    return { model, ...data, createdAt: new Date(0), updatedAt: new Date(0) };
  }

  insertMissing(prices: (PriceData & { model: string })[]): Promise<number> {
    const missing = prices.filter((p) => !this.rows.has(p.model));
    for (const { model, ...data } of missing) this.rows.set(model, this.row(model, data));
    return Promise.resolve(missing.length);
  }

  all(): Promise<Price[]> {
    return Promise.resolve([...this.rows.values()]);
  }

  allByModel(): Promise<Price[]> {
    return Promise.resolve([...this.rows.values()].sort((a, b) => a.model.localeCompare(b.model)));
  }

  putAudited(model: string, data: PriceData, audit: (before: Price | null, after: Price) => AuditEntry): Promise<Price> {
    const before = this.rows.get(model) ?? null;
    const after = this.row(model, data);
    this.rows.set(model, after);
    this.audits.push(audit(before, after));
    return Promise.resolve(after);
  }
}

describe('PriceService', () => {
  let prices: InMemoryPrices;
  let emitted: string[];
  let service: PriceService;

  beforeAll(() => Logger.overrideLogger(['fatal']));
  beforeEach(() => {
    prices = new InMemoryPrices();
    emitted = [];
    service = new PriceService(prices, { emit: (subject: string) => void emitted.push(subject) } as unknown as Bus);
  });

  it('inserts the built-in prices at start without replacing an admin override', async () => {
    const [model] = Object.keys(DEFAULT_PRICES);
    await service.put(model, PutPrice.parse({ input: 9, output: 9 }), 'admin');
    await service.onModuleInit();
    expect(prices.rows.size).toBe(Object.keys(DEFAULT_PRICES).length);
    expect(prices.rows.get(model)).toMatchObject({ inputMicros: 9_000_000n, builtin: false });
  });

  it('answers the table gateways cache in micro-dollars', async () => {
    await service.put('m', PutPrice.parse({ input: 1, output: 2, cacheRead: 0.5, perRequest: 0.01 }), 'admin');
    expect((await service.table()).prices).toEqual([
      { model: 'm', inputMicros: 1_000_000, outputMicros: 2_000_000, cacheReadMicros: 500_000, cacheWriteMicros: 0, perRequestMicros: 10_000 },
    ]);
  });

  it('audits a new price as a create and a changed one as an update with its before, and tells the gateways', async () => {
    await service.put('m', PutPrice.parse({ input: 1, output: 2 }), 'admin');
    const reply = await service.put('m', PutPrice.parse({ input: 3, output: 4 }), 'root');
    expect(reply).toEqual({ model: 'm', input: 3, output: 4, cacheRead: 0, cacheWrite: 0, perRequest: 0, builtin: false });
    expect(prices.audits.map((a) => [a.actor, a.action, a.entityId, (a.before as { input?: number } | undefined)?.input])).toEqual([
      ['admin', 'create', 'm', undefined],
      ['root', 'update', 'm', 1],
    ]);
    expect(emitted).toEqual(['billing.prices.changed.v1', 'billing.prices.changed.v1']);
  });

  it('lists prices by model', async () => {
    await service.put('b', PutPrice.parse({ input: 1, output: 1 }), 'admin');
    await service.put('a', PutPrice.parse({ input: 1, output: 1 }), 'admin');
    expect(await service.list()).toMatchObject({ data: [{ model: 'a' }, { model: 'b' }], total: 2 });
  });
});
