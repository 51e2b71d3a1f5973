import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Subjects, notFound, type PriceEntry, type PriceTable, type PutPrice } from '@switchboard/contracts';
import { microsToUsd, usdToMicros, type Price } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import type { z } from 'zod';
import { DEFAULT_PRICES, DEFAULT_UNIT_PRICES, type UnitListPrices } from './default-prices';
import { PriceRepository, type PriceData, type Prices } from './price.repository';

/** The by-size image prices of a row, micro-USD by key; anything but a map of non-negative numbers reads as none. */
export function perImageBySizeMicros(p: Pick<Price, 'perImageBySizeMicros'>): Record<string, number> | null {
  const v = p.perImageBySizeMicros;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const entries = Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isSafeInteger(e[1]) && e[1] >= 0);
  // jsonb keeps keys in its own order (shortest first): sorted, sizes come before quality:size and every read agrees
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? Object.fromEntries(entries) : null;
}

const usdOrNull = (micros: bigint | null) => (micros === null ? null : microsToUsd(micros));

export const priceView = (p: Price) => {
  const bySize = perImageBySizeMicros(p);
  return {
    model: p.model,
    input: microsToUsd(p.inputMicros),
    output: microsToUsd(p.outputMicros),
    cacheRead: microsToUsd(p.cacheReadMicros),
    cacheWrite: microsToUsd(p.cacheWriteMicros),
    perRequest: microsToUsd(p.perRequestMicros),
    perImage: usdOrNull(p.perImageMicros),
    perImageBySize: bySize && Object.fromEntries(Object.entries(bySize).map(([k, m]) => [k, microsToUsd(BigInt(m))])),
    audioInputPerMinute: usdOrNull(p.audioInputPerMinuteMicros),
    speechPerMillionChars: usdOrNull(p.speechPerMillionCharsMicros),
    perSearchUnit: usdOrNull(p.perSearchUnitMicros),
    builtin: p.builtin,
  };
};

/** Unit prices in USD (absent or null: free) as the row's micro-USD columns. */
function unitColumns(u: UnitListPrices | z.output<typeof PutPrice>) {
  const micros = (usd: number | null | undefined) => (usd === null || usd === undefined ? null : usdToMicros(usd));
  const bySize = u.perImageBySize ? Object.entries(u.perImageBySize) : [];
  return {
    perImageMicros: micros(u.perImage),
    perImageBySizeMicros: bySize.length ? Object.fromEntries(bySize.map(([k, usd]) => [k, Number(usdToMicros(usd))])) : null,
    audioInputPerMinuteMicros: micros(u.audioInputPerMinute),
    speechPerMillionCharsMicros: micros(u.speechPerMillionChars),
    perSearchUnitMicros: micros(u.perSearchUnit),
  };
}

/** The built-in list price of `model` as a row, or null when it has none. */
function builtinPrice(model: string): PriceData | null {
  if (!Object.hasOwn(DEFAULT_PRICES, model)) return null;
  const [i, o, cr, cw] = DEFAULT_PRICES[model];
  return {
    inputMicros: usdToMicros(i),
    outputMicros: usdToMicros(o),
    cacheReadMicros: usdToMicros(cr),
    cacheWriteMicros: usdToMicros(cw),
    perRequestMicros: 0n,
    ...unitColumns(Object.hasOwn(DEFAULT_UNIT_PRICES, model) ? DEFAULT_UNIT_PRICES[model] : {}),
    builtin: true,
  };
}

/** A row as the gateways' PriceEntry: unit prices only where set (an absent one is free). */
function priceEntry(p: Price): PriceEntry {
  const entry: PriceEntry = {
    model: p.model,
    inputMicros: Number(p.inputMicros),
    outputMicros: Number(p.outputMicros),
    cacheReadMicros: Number(p.cacheReadMicros),
    cacheWriteMicros: Number(p.cacheWriteMicros),
    perRequestMicros: Number(p.perRequestMicros),
  };
  const bySize = perImageBySizeMicros(p);
  if (p.perImageMicros !== null) entry.perImageMicros = Number(p.perImageMicros);
  if (bySize) entry.perImageBySizeMicros = bySize;
  if (p.audioInputPerMinuteMicros !== null) entry.audioInputPerMinuteMicros = Number(p.audioInputPerMinuteMicros);
  if (p.speechPerMillionCharsMicros !== null) entry.speechPerMillionCharsMicros = Number(p.speechPerMillionCharsMicros);
  if (p.perSearchUnitMicros !== null) entry.perSearchUnitMicros = Number(p.perSearchUnitMicros);
  return entry;
}

/** The price table: built-in defaults, admin overrides, and the snapshot gateways cache. */
@Injectable()
export class PriceService implements OnModuleInit {
  private readonly logger = new Logger(PriceService.name);

  constructor(
    @Inject(PriceRepository) private readonly prices: Prices,
    private readonly bus: Bus,
  ) {}

  async onModuleInit(): Promise<void> {
    const data = Object.keys(DEFAULT_PRICES).map((model) => ({ model, ...builtinPrice(model)! }));
    const count = await this.prices.insertMissing(data);
    if (count) this.logger.log(`inserted ${count} built-in price(s)`);
  }

  async table(): Promise<PriceTable> {
    const rows = await this.prices.all();
    return {
      version: Date.now(),
      prices: rows.map(priceEntry),
    };
  }

  async list() {
    const rows = await this.prices.allByModel();
    return { data: rows.map(priceView), total: rows.length };
  }

  async put(model: string | undefined, b: z.output<typeof PutPrice>, actor: string) {
    if (!model) throw notFound('price');
    const data = {
      inputMicros: usdToMicros(b.input),
      outputMicros: usdToMicros(b.output),
      cacheReadMicros: usdToMicros(b.cacheRead),
      cacheWriteMicros: usdToMicros(b.cacheWrite),
      perRequestMicros: usdToMicros(b.perRequest),
      ...unitColumns(b),
      builtin: false,
    };
    const row = await this.prices.putAudited(model, data, (before, after) => ({
      actor,
      action: before ? 'update' : 'create',
      entity: 'price',
      entityId: model,
      before: before ? priceView(before) : undefined,
      after: priceView(after),
    }));
    this.bus.emit(Subjects.BillingPricesChanged, { version: Date.now() });
    return priceView(row);
  }

  /**
   * Removes the admin-set price of `model`: a model with a built-in list price returns to it (audited as an update),
   * any other loses its price (a delete). A built-in price that was never changed stays as it is (`deleted: false`).
   */
  async remove(model: string | undefined, actor: string) {
    if (!model) throw notFound('price');
    const builtin = builtinPrice(model);
    const current = await this.prices.byModel(model);
    if (!current) throw notFound('price');
    if (current.builtin) return { deleted: false, builtin: priceView(current) };
    const done = await this.prices.resetAudited(model, builtin, (before, after) => ({
      actor,
      action: after ? 'update' : 'delete',
      entity: 'price',
      entityId: model,
      before: priceView(before),
      after: after ? priceView(after) : undefined,
    }));
    if (!done) throw notFound('price');
    this.bus.emit(Subjects.BillingPricesChanged, { version: Date.now() });
    return { deleted: true, builtin: done.after ? priceView(done.after) : null };
  }
}
