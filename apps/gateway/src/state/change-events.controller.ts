import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AuthChangedEvent, BansChangedEvent, Subjects } from '@switchboard/contracts';
import { BanListService } from './ban-list.service';
import { AdmissionService } from '../admission/admission.service';
import { PriceCache } from './price-cache.service';
import { RoutingTableService } from './routing-table.service';
import { TokenCache } from './token-cache.service';

/** Change events from auth, router and billing: every gateway replica drops or refetches its cached state. */
@Controller()
export class ChangeEventsController {
  constructor(
    private readonly tokens: TokenCache,
    private readonly table: RoutingTableService,
    private readonly prices: PriceCache,
    private readonly admission: AdmissionService,
    private readonly bans: BanListService,
  ) {}

  @EventPattern(Subjects.AuthChanged)
  authChanged(@Payload() payload: unknown) {
    const e = AuthChangedEvent.safeParse(payload);
    if (!e.success) return this.tokens.invalidate([], true);
    this.tokens.invalidate(e.data.keyHashes, e.data.all);
    if (e.data.quotaReset) return this.admission.resetQuota(e.data.quotaReset.tokenIds, e.data.quotaReset.userIds);
  }

  @EventPattern(Subjects.RouterTableChanged)
  tableChanged() {
    return this.table.refresh().catch(() => undefined);
  }

  @EventPattern(Subjects.RouterBansChanged)
  bansChanged(@Payload() payload: unknown) {
    const e = BansChangedEvent.safeParse(payload);
    if (e.success) this.bans.apply(e.data);
  }

  @EventPattern(Subjects.BillingPricesChanged)
  pricesChanged() {
    return this.prices.refresh().catch(() => undefined);
  }
}
