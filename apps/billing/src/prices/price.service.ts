import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Subjects, notFound, type PriceTable, type PutPrice } from '@switchboard/contracts';
import { microsToUsd, usdToMicros, type Price } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import type { z } from 'zod';
import { DEFAULT_PRICES } from './default-prices';
import { PriceRepository, type Prices } from './price.repository';

export const priceView = (p: Price) => ({
  model: p.model,
  input: microsToUsd(p.inputMicros),
  output: microsToUsd(p.outputMicros),
  cacheRead: microsToUsd(p.cacheReadMicros),
  cacheWrite: microsToUsd(p.cacheWriteMicros),
  perRequest: microsToUsd(p.perRequestMicros),
  builtin: p.builtin,
});

/** The price table: built-in defaults, admin overrides, and the snapshot gateways cache. */
@Injectable()
export class PriceService implements OnModuleInit {
  private readonly logger = new Logger(PriceService.name);

  constructor(
    @Inject(PriceRepository) private readonly prices: Prices,
    private readonly bus: Bus,
  ) {}

  async onModuleInit(): Promise<void> {
    const data = Object.entries(DEFAULT_PRICES).map(([model, [i, o, cr, cw]]) => ({
      model,
      inputMicros: usdToMicros(i),
      outputMicros: usdToMicros(o),
      cacheReadMicros: usdToMicros(cr),
      cacheWriteMicros: usdToMicros(cw),
      perRequestMicros: 0n,
      builtin: true,
    }));
    const count = await this.prices.insertMissing(data);
    if (count) this.logger.log(`inserted ${count} built-in price(s)`);
  }

  async table(): Promise<PriceTable> {
    const rows = await this.prices.all();
    return {
      version: Date.now(),
      prices: rows.map((p) => ({
        model: p.model,
        inputMicros: Number(p.inputMicros),
        outputMicros: Number(p.outputMicros),
        cacheReadMicros: Number(p.cacheReadMicros),
        cacheWriteMicros: Number(p.cacheWriteMicros),
        perRequestMicros: Number(p.perRequestMicros),
      })),
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
}
