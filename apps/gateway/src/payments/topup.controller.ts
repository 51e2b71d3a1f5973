import { Controller, Get, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, Subjects, type CheckoutReply, type PaymentsRequest, type TopupsReply } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import type { FastifyRequest } from 'fastify';
import { AccountGuard } from '../accounts/account.guards';
import { principalOf } from '../accounts/principal';
import type { RawJsonBody } from '../relay/inbound';

/**
 * The signed-in user's Stripe top-ups: `POST /api/me/topup/checkout` `{ amount }` → `{ url }` (the Checkout page to
 * send the browser to) and `GET /api/me/topups` (balance, currency and limits, credits and reversals). Billing owns
 * the Stripe calls; the user id is always the session's.
 */
@Controller('api/me')
@UseGuards(AccountGuard)
export class TopupController {
  constructor(
    private readonly bus: Bus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('topup/checkout')
  @HttpCode(200)
  checkout(@Req() req: FastifyRequest) {
    const body = req.body as RawJsonBody | undefined;
    if (!body || body.parseError !== undefined) throw new DomainError('invalid_request', 400, `body: ${body?.parseError ?? 'a JSON object is required'}`);
    // Checkout sends the customer back to the console at the address this request came to (or STRIPE_RETURN_URL).
    const returnUrl = this.config.STRIPE_RETURN_URL ?? `${req.protocol}://${req.host}`;
    return this.bus.request<CheckoutReply>(Subjects.BillingPayments, {
      op: 'checkout',
      userId: userIdOf(req),
      body: body.json,
      returnUrl,
    } satisfies PaymentsRequest);
  }

  @Get('topups')
  topups(@Req() req: FastifyRequest) {
    return this.bus.request<TopupsReply>(Subjects.BillingPayments, { op: 'topups', userId: userIdOf(req) } satisfies PaymentsRequest);
  }
}

/** AccountGuard lets only signed-in users through; the admin key has no balance of its own. */
function userIdOf(req: FastifyRequest): number {
  const p = principalOf(req);
  if (p.kind !== 'user') throw new DomainError('forbidden', 403, 'The admin key has no account.');
  return p.id;
}
