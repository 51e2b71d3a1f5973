import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import type { PriceEntry, VerifiedToken } from '@switchboard/contracts';
import { PriceCache } from '../state/price-cache.service';
import { RoutingTableService, type RuntimeChannel } from '../state/routing-table.service';
import { pickAliasTarget } from './channel-selector';
import { RelayErrors } from './relay.errors';

export interface Route {
  /** the model after alias resolution, before the channel's mapping */
  model: string;
  candidates: RuntimeChannel[];
  /** the alias' fallback models, tried in order when every channel of `model` failed */
  fallbacks: string[];
  alias: string | null;
}

/** Where a request may go before any upstream is tried: the alias' target, its channels and fallbacks, its price. */
@Injectable()
export class RoutePlanner {
  constructor(
    private readonly table: RoutingTableService,
    private readonly prices: PriceCache,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'UNPRICED_MODEL_POLICY'>,
  ) {}

  /** The route of `requested` for a key of `group`; 404 when neither the model nor a fallback has a channel. */
  plan(requested: string, group: string): Route {
    const alias = this.table.alias(requested);
    const model = alias ? (pickAliasTarget(alias.targets) ?? requested) : requested;
    const candidates = this.table.channelsFor(model, group);
    const fallbacks = alias?.fallbacks ?? [];
    if (!candidates.length && !fallbacks.some((f) => this.table.channelsFor(f, group).length)) throw RelayErrors.modelNotFound(requested);
    return { model, candidates, fallbacks, alias: alias ? requested : null };
  }

  /** The model's price; null (free) when unpriced and the policy or an unlimited key allows it, else 403. */
  async price(model: string, token: VerifiedToken): Promise<PriceEntry | null> {
    const price = await this.prices.price(model).catch(() => undefined);
    if (price) return price;
    if (this.config.UNPRICED_MODEL_POLICY === 'free') return null;
    const unlimited = token.quotaMicros === null && token.user.balanceMicros === null;
    if (unlimited) return null;
    throw RelayErrors.notPriced(model);
  }
}
