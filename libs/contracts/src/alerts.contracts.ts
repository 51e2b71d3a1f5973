import { z } from 'zod';

/**
 * What an alert can be about (SPEC §8, Alerts). `budget_reached`: a budget passed its soft limit (BudgetReachedDetails).
 */
export const ALERT_EVENTS = ['balance_low', 'channel_banned', 'channel_down', 'error_rate', 'budget_reached'] as const;
export type AlertEventName = (typeof ALERT_EVENTS)[number];

export const AlertSeverity = z.enum(['info', 'warning', 'critical']);

/**
 * `alerts.raised.v1`: one thing a person should hear about. Any service publishes it; the router delivers it to the
 * alert channels subscribed to `event`. `subject` names what it is about (`user:5`, `channel:3`, `gateway`): the same
 * event and subject within the dedup window is delivered once.
 */
export const AlertEvent = z.object({
  event: z.enum(ALERT_EVENTS),
  subject: z.string().min(1).max(200),
  severity: AlertSeverity,
  /** one line a person reads first (an email's subject, a Slack message's first line) */
  summary: z.string().min(1).max(500),
  /** the facts behind it, per event (see README "Alerts") */
  details: z.record(z.string(), z.unknown()).default({}),
  occurredAt: z.string(),
});
export type AlertEvent = z.infer<typeof AlertEvent>;
export type AlertEventInput = z.input<typeof AlertEvent>;

/** `details` of `balance_low`. */
export const BalanceLowDetails = z.object({
  userId: z.number().int(),
  balanceUsd: z.number(),
  thresholdUsd: z.number(),
  requestId: z.string().nullable(),
});

/** `details` of `channel_banned` (a (channel, model) pair banned) and `channel_down` (no key of the channel usable). */
export const ChannelAlertDetails = z.object({
  channelId: z.number().int(),
  channelName: z.string(),
  model: z.string().optional(),
  reason: z.string(),
  until: z.string().optional(),
});

/** `details` of `error_rate`: a channel's (or, `channelId` absent, every channel's) errors over the health window. */
export const ErrorRateDetails = z.object({
  channelId: z.number().int().optional(),
  channelName: z.string().optional(),
  requests: z.number().int(),
  errors: z.number().int(),
  errorRate: z.number(),
  threshold: z.number(),
  windowMs: z.number().int(),
});

/** `details` of `budget_reached`: a budget's period passed its soft limit (the gateway raises it once per period). */
export const BudgetReachedDetails = z.object({
  scope: z.enum(['user', 'token', 'group']),
  id: z.union([z.number().int(), z.string()]),
  amountUsd: z.number(),
  spentUsd: z.number(),
  softLimitUsd: z.number(),
  period: z.enum(['day', 'week', 'month']),
  periodStart: z.string(),
  resetsAt: z.string(),
});
