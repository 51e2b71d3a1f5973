import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The header a signed webhook carries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (Stripe's scheme). */
export const SIGNATURE_HEADER = 'switchboard-signature';

/** A new channel's signing secret, shown once. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

const mac = (secret: string, body: string, timestampSec: number) => createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');

/**
 * The header for `body`: one `v1=` per secret, the current one first. While a rotated-out secret is in its grace
 * period it signs too (as Stripe does when rolling a secret), so a receiver still holding it keeps verifying.
 */
export function signWebhook(secret: string, body: string, timestampSec: number, previousSecret?: string | null): string {
  const old = previousSecret ? `,v1=${mac(previousSecret, body, timestampSec)}` : '';
  return `t=${timestampSec},v1=${mac(secret, body, timestampSec)}${old}`;
}

/**
 * What a receiver does (README "Alerts"): recompute the HMAC with its secret, accept when any `v1=` matches (compared
 * in constant time), refuse stale timestamps.
 */
export function verifyWebhook(secret: string, body: string, header: string, nowSec: number, toleranceSec = 300): boolean {
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSec - t) > toleranceSec) return false;
  const expected = Buffer.from(mac(secret, body, t), 'hex');
  return parts.some(([k, v]) => {
    if (k !== 'v1' || !v) return false;
    const given = Buffer.from(v, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
