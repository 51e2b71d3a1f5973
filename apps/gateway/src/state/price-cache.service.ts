import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Subjects, type PriceEntry, type PriceTable } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import { findPrice } from '@switchboard/pricing';

/** The price table, cached at the edge; refetched on `billing.prices.changed.v1` and every 30 s as a safety net. */
@Injectable()
export class PriceCache implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PriceCache.name);
  private prices = new Map<string, PriceEntry>();
  private loaded: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(private readonly bus: Bus) {}

  onApplicationBootstrap(): void {
    void this.refresh().catch(() => undefined);
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), 30_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  refresh(): Promise<void> {
    const p = this.bus.request<PriceTable>(Subjects.BillingPricesGet, {}).then(
      (t) => {
        this.prices = new Map(t.prices.map((x) => [x.model, x]));
      },
      (e: unknown) => {
        this.logger.warn(`price table not loaded: ${(e as Error).message}`);
        throw e;
      },
    );
    this.loaded = p.catch(() => {
      this.loaded = null;
    });
    return p;
  }

  async models(): Promise<string[]> {
    if (!this.prices.size) await (this.loaded ?? this.refresh()).catch(() => undefined);
    return [...this.prices.keys()];
  }

  async price(model: string): Promise<PriceEntry | undefined> {
    if (!this.prices.size) await (this.loaded ?? this.refresh());
    return findPrice(this.prices, model);
  }
}
