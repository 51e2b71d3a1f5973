import { z } from 'zod';
import { ALERT_EVENTS } from '../alerts.contracts';

export const ALERT_CHANNEL_TYPES = ['webhook', 'email', 'slack'] as const;
export type AlertChannelType = (typeof ALERT_CHANNEL_TYPES)[number];

const url = z
  .string()
  .trim()
  .max(2048)
  .url('must be an http(s) URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');
const emails = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => s.split(',').every((a) => z.string().email().safeParse(a.trim()).success), 'must be an email address (several: comma-separated)');

/** A channel's `target` by its type: a webhook or Slack incoming-webhook URL, or email recipients. */
export function alertTargetSchema(type: AlertChannelType) {
  return type === 'email' ? emails : url;
}

const events = z
  .array(z.enum(ALERT_EVENTS))
  .min(1, 'must name at least one event')
  .refine((e) => new Set(e).size === e.length, 'must not repeat an event');

const base = {
  name: z.string().trim().min(1, 'must not be empty').max(100),
  events,
  enabled: z.boolean(),
};

/** `POST /api/alert-channels`: the target is checked against the type. */
export const CreateAlertChannel = z
  .strictObject({ type: z.enum(ALERT_CHANNEL_TYPES), target: z.string(), ...base, name: base.name.optional(), enabled: base.enabled.default(true) })
  .superRefine((b, ctx) => {
    const t = alertTargetSchema(b.type).safeParse(b.target);
    if (!t.success) ctx.addIssue({ code: 'custom', path: ['target'], message: t.error.issues[0].message });
  });

/** `PATCH /api/alert-channels/:id`: the fields sent change (the type is fixed at creation). */
export const UpdateAlertChannel = z.strictObject({
  target: z.string().optional(),
  name: base.name.optional(),
  events: events.optional(),
  enabled: z.boolean().optional(),
});

/** `POST /api/alert-channels/:id/test`: which event the test alert poses as (default: the channel's first). */
/** The hours the replaced secret keeps signing beside the new one (README "Alerts"); 0 = stop using it now. */
export const ALERT_SECRET_GRACE_HOURS = 24;
export const RotateAlertSecret = z.strictObject({ graceHours: z.number().min(0).max(168).default(ALERT_SECRET_GRACE_HOURS) });

export const TestAlertChannel = z.strictObject({ event: z.enum(ALERT_EVENTS).optional() });
