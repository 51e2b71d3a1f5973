import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import type { PriceEntry, VerifiedToken } from '@switchboard/contracts';
import { upstreamProtocolOf, type InboundRequest } from '@switchboard/providers';
import { PriceCache } from '../state/price-cache.service';
import { RoutingTableService, type RuntimeChannel } from '../state/routing-table.service';
import { pickAliasTarget } from './channel-selector';
import { RelayErrors } from './relay.errors';

/** What of a call decides which channels can serve it. */
export type Capability = Pick<InboundRequest, 'operation' | 'protocol' | 'endpoint'>;

/** The channels of `model` that serve the call's endpoint family (by their type or declared endpoints). */
export function servable(channels: RuntimeChannel[], model: string, call: Capability): RuntimeChannel[] {
  // Chat and embeddings: every listed channel's type serves them (or refuses per attempt, as before).
  if (call.operation === 'generate' || call.operation === 'embed') return channels;
  return channels.filter((c) => upstreamProtocolOf(c, call, c.modelMapping[model] ?? model) !== null);
}

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

  /**
   * The route of `requested` for a key of `group`: 404 when neither the model nor a fallback has a channel, 400 when
   * channels have it but none serves the call's endpoint family (capability routing: refused before any attempt).
   */
  plan(requested: string, group: string, call?: Capability): Route {
    const alias = this.table.alias(requested);
    const model = alias ? (pickAliasTarget(alias.targets) ?? requested) : requested;
    const listed = this.table.channelsFor(model, group);
    const fallbacks = alias?.fallbacks ?? [];
    const anyFallback = fallbacks.some((f) => this.table.channelsFor(f, group).length);
    if (!listed.length && !anyFallback) throw RelayErrors.modelNotFound(requested);
    const candidates = call ? servable(listed, model, call) : listed;
    if (call && !candidates.length && !fallbacks.some((f) => servable(this.table.channelsFor(f, group), f, call).length)) {
      throw RelayErrors.unsupported(requested, call.endpoint);
    }
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
