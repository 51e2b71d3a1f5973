import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { DomainError, Subjects, type PaymentsRequest, type WebhookReply } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import type { FastifyRequest } from 'fastify';
import type { RawJsonBody } from '../relay/inbound';

/**
 * `POST /api/webhooks/stripe`: Stripe's deliveries, authorised by their `Stripe-Signature` alone (no key or
 * session). The signature covers the exact bytes, so the body goes to billing as received (the JSON parser keeps
 * them beside its reading); billing verifies it (400 when it does not match) and applies the event once.
 */
@Controller('api/webhooks')
export class StripeWebhookController {
  constructor(private readonly bus: Bus) {}

  @Post('stripe')
  @HttpCode(200)
  receive(@Req() req: FastifyRequest) {
    const signature = req.headers['stripe-signature'];
    if (typeof signature !== 'string' || !signature) throw new DomainError('invalid_request', 400, 'Missing Stripe-Signature header.');
    const body = req.body as RawJsonBody | undefined;
    const payload = body?.raw.toString('utf8') ?? '';
    return this.bus.request<WebhookReply>(Subjects.BillingPayments, { op: 'webhook', payload, signature } satisfies PaymentsRequest);
  }
}
