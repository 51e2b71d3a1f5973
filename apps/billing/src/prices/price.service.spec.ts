import { Logger } from '@nestjs/common';
import { PutPrice } from '@switchboard/contracts';
import type { AuditEntry, Price } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import { DEFAULT_PRICES, DEFAULT_UNIT_PRICES } from './default-prices';
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

  byModel(model: string): Promise<Price | null> {
    return Promise.resolve(this.rows.get(model) ?? null);
  }

  resetAudited(
    model: string,
    builtin: PriceData | null,
    audit: (before: Price, after: Price | null) => AuditEntry,
  ): Promise<{ before: Price; after: Price | null } | null> {
    const before = this.rows.get(model);
    if (!before) return Promise.resolve(null);
    const after = builtin ? this.row(model, builtin) : null;
    if (after) this.rows.set(model, after);
    else this.rows.delete(model);
    this.audits.push(audit(before, after));
    return Promise.resolve({ before, after });
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

const noUnits = { perImage: null, perImageBySize: null, audioInputPerMinute: null, speechPerMillionChars: null, perSearchUnit: null };

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
    expect(reply).toEqual({ model: 'm', input: 3, output: 4, cacheRead: 0, cacheWrite: 0, perRequest: 0, ...noUnits, builtin: false });
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

  it('removes an admin price: a built-in model returns to its list price, any other becomes unpriced; both audited', async () => {
    await service.onModuleInit();
    const builtinModel = 'gpt-4o';
    const [i, o, cr] = DEFAULT_PRICES[builtinModel];
    await service.put(builtinModel, PutPrice.parse({ input: 9, output: 9 }), 'admin');
    await service.put('house', PutPrice.parse({ input: 1, output: 2 }), 'admin');
    emitted.length = 0;

    expect(await service.remove(builtinModel, 'root')).toEqual({
      deleted: true,
      builtin: { model: builtinModel, input: i, output: o, cacheRead: cr, cacheWrite: 0, perRequest: 0, ...noUnits, builtin: true },
    });
    expect(await service.remove('house', 'root')).toEqual({ deleted: true, builtin: null });
    expect(prices.rows.has('house')).toBe(false);
    expect(
      prices.audits
        .slice(-2)
        .map((a) => [a.actor, a.action, a.entityId, (a.before as { input: number }).input, (a.after as { input?: number } | undefined)?.input]),
    ).toEqual([
      ['root', 'update', builtinModel, 9, i],
      ['root', 'delete', 'house', 1, undefined],
    ]);
    expect(emitted).toEqual(['billing.prices.changed.v1', 'billing.prices.changed.v1']);
  });

  it('leaves an unchanged built-in price alone and answers 404 for a model without a price', async () => {
    await service.onModuleInit();
    const audits = prices.audits.length;
    await expect(service.remove('gpt-4o', 'root')).resolves.toMatchObject({ deleted: false, builtin: { model: 'gpt-4o', builtin: true } });
    await expect(service.remove('nothing-here', 'root')).rejects.toMatchObject({ status: 404 });
    expect(prices.audits.length).toBe(audits);
    expect(emitted).toEqual([]);
  });
  it('stores unit prices in micro-dollars, answers them in USD, and publishes only the ones set', async () => {
    const units = {
      perImage: 0.04,
      perImageBySize: { '1024x1024': 0.04, 'hd:1792x1024': 0.12 },
      audioInputPerMinute: 0.006,
      speechPerMillionChars: 15,
      perSearchUnit: 0.002,
    };
    expect(await service.put('img', PutPrice.parse({ input: 0, output: 0, ...units }), 'admin')).toMatchObject(units);
    expect(prices.rows.get('img')).toMatchObject({
      perImageMicros: 40_000n,
      perImageBySizeMicros: { '1024x1024': 40_000, 'hd:1792x1024': 120_000 },
      audioInputPerMinuteMicros: 6_000n,
      speechPerMillionCharsMicros: 15_000_000n,
      perSearchUnitMicros: 2_000n,
    });
    // sizes read in key order, whatever order the JSON column keeps them in
    const reversed = await service.put('img2', PutPrice.parse({ input: 0, output: 0, perImageBySize: { 'hd:1024x1024': 0.08, '256x256': 0.016 } }), 'admin');
    expect(Object.keys(reversed.perImageBySize ?? {})).toEqual(['256x256', 'hd:1024x1024']);
    await service.put('tts', PutPrice.parse({ input: 0, output: 0, speechPerMillionChars: 30 }), 'admin');
    const table = new Map((await service.table()).prices.map((p) => [p.model, p]));
    expect(table.get('img')).toMatchObject({
      perImageMicros: 40_000,
      perImageBySizeMicros: { '1024x1024': 40_000, 'hd:1792x1024': 120_000 },
      audioInputPerMinuteMicros: 6_000,
      speechPerMillionCharsMicros: 15_000_000,
      perSearchUnitMicros: 2_000,
    });
    expect(table.get('tts')).toEqual({
      model: 'tts',
      inputMicros: 0,
      outputMicros: 0,
      cacheReadMicros: 0,
      cacheWriteMicros: 0,
      perRequestMicros: 0,
      speechPerMillionCharsMicros: 30_000_000,
    });
    // a PUT replaces the whole price: a unit price it leaves out is free again
    await service.put('img', PutPrice.parse({ input: 0, output: 0, perImage: 0.05 }), 'admin');
    expect(await service.list()).toMatchObject({ data: [{ model: 'img', ...noUnits, perImage: 0.05 }, { model: 'img2' }, { model: 'tts' }] });
  });

  it('inserts the built-in unit list prices (DALL·E by quality and size, audio minutes, speech characters, search units)', async () => {
    await service.onModuleInit();
    for (const model of Object.keys(DEFAULT_UNIT_PRICES)) expect(Object.hasOwn(DEFAULT_PRICES, model)).toBe(true);
    const table = new Map((await service.table()).prices.map((p) => [p.model, p]));
    expect(table.get('dall-e-3')?.perImageBySizeMicros).toMatchObject({ '1024x1024': 40_000, 'hd:1792x1024': 120_000 });
    expect(table.get('whisper-1')?.audioInputPerMinuteMicros).toBe(6_000);
    expect(table.get('tts-1-hd')?.speechPerMillionCharsMicros).toBe(30_000_000);
    expect(table.get('rerank-v3.5')?.perSearchUnitMicros).toBe(2_000);
    expect(table.get('omni-moderation-latest')).toEqual({
      model: 'omni-moderation-latest',
      inputMicros: 0,
      outputMicros: 0,
      cacheReadMicros: 0,
      cacheWriteMicros: 0,
      perRequestMicros: 0,
    });
    expect(table.get('gpt-4o')).not.toHaveProperty('perImageMicros');
  });
});
