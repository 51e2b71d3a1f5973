import { z } from 'zod';

/**
 * `billing.payments.v1` (gateway → billing): Stripe top-ups. `checkout` opens a Checkout session for the signed-in
 * user, `webhook` hands over a Stripe delivery exactly as received (billing verifies its signature), `topups` reads
 * the user's balance, its credits and reversals, and the configured currency and limits.
 */
export const PaymentsRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('checkout'), userId: z.number().int(), body: z.unknown(), returnUrl: z.string() }),
  z.object({ op: z.literal('webhook'), payload: z.string(), signature: z.string() }),
  z.object({ op: z.literal('topups'), userId: z.number().int() }),
]);
export type PaymentsRequest = z.infer<typeof PaymentsRequest>;

/** `POST /api/me/topup/checkout` `{ amount }`: in the configured currency's major unit (e.g. 12.5 = 12.50 EUR). */
export const CheckoutBody = z.object({ amount: z.number().finite() }).strict();

export const CheckoutReply = z.object({ url: z.string() });
export type CheckoutReply = z.infer<typeof CheckoutReply>;

/**
 * What a webhook delivery did: `applied` changed a balance, `replay` was seen before, `ignored` concerns no top-up,
 * `recorded` stored the payment's state without a balance move (pending, failed, a lost dispute), `unapplied` stored a
 * payment (or reversal) its user cannot take (unlimited balance, deleted) for an admin to settle.
 */
export const WebhookReply = z.object({ received: z.literal(true), result: z.enum(['applied', 'replay', 'ignored', 'recorded', 'unapplied']) });
export type WebhookReply = z.infer<typeof WebhookReply>;

/** `GET /api/me/topups`: the balance (USD), the top-up settings, and credits and reversals newest first. */
export const TopupsReply = z.object({
  enabled: z.boolean(),
  currency: z.string(),
  minAmount: z.number(),
  maxAmount: z.number(),
  /** USD of balance one unit of `currency` buys */
  usdPerUnit: z.number(),
  balance: z.number().nullable(),
  data: z.array(z.object({ id: z.number(), kind: z.string(), amount: z.number(), reference: z.string().nullable(), createdAt: z.string() })),
});
export type TopupsReply = z.infer<typeof TopupsReply>;
