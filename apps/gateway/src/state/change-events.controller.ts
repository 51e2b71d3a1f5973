import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AuthChangedEvent, Subjects } from '@switchboard/contracts';
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

  @EventPattern(Subjects.BillingPricesChanged)
  pricesChanged() {
    return this.prices.refresh().catch(() => undefined);
  }
}
