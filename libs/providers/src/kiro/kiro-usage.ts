import type { CredentialContext, KeyAllowance } from '../provider.types';
import { CredentialError } from '../provider.types';
import { kiroSession, kiroTokenKey } from './kiro-auth';
import type { KiroCredential } from './kiro-credential';

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
/** `…WithPrecision` carries the fractions of a credit; the plain field is rounded. */
const used = (o: Record<string, unknown>) => num(o.currentUsageWithPrecision ?? o.currentUsage);
const limit = (o: Record<string, unknown>) => num(o.usageLimitWithPrecision ?? o.usageLimit);
const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback).toUpperCase();
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

export function kiroUsageUrl(host: string, config: Readonly<Record<string, unknown>>, profileArn: string | undefined): string {
  const base = typeof config.usageUrl === 'string' && config.usageUrl.trim() ? config.usageUrl.trim() : `${host}/getUsageLimits`;
  const url = new URL(base);
  url.searchParams.set('isEmailRequired', 'true');
  url.searchParams.set('origin', 'AI_EDITOR');
  url.searchParams.set('resourceType', 'AGENTIC_REQUEST');
  if (profileArn) url.searchParams.set('profileArn', profileArn);
  return url.toString();
}

/**
 * getUsageLimits → the account's credits (§3.5): used and limit summed over the main bucket, an active free trial and
 * the bonuses (remaining = limit − used); reset at `nextDateReset` (epoch seconds).
 */
export function kiroAllowanceOf(body: unknown): KeyAllowance | null {
  const list = Array.isArray(obj(body)?.usageBreakdownList) ? (obj(body)!.usageBreakdownList as unknown[]) : [];
  const buckets = list.map(obj).filter((b): b is Record<string, unknown> => !!b);
  const main = buckets.find((b) => b.resourceType === 'CREDIT') ?? buckets[0];
  if (!main) return null;
  let u = used(main);
  let l = limit(main);
  const trial = obj(main.freeTrialInfo);
  if (trial && text(trial.freeTrialStatus, 'ACTIVE') === 'ACTIVE') {
    u += used(trial);
    l += limit(trial);
  }
  for (const bonus of Array.isArray(main.bonuses) ? main.bonuses : []) {
    const b = obj(bonus);
    if (!b || text(b.status, 'ACTIVE') !== 'ACTIVE') continue;
    u += used(b);
    l += limit(b);
  }
  const reset = num(main.nextDateReset ?? obj(body)?.nextDateReset);
  return { used: Math.round(u * 100) / 100, limit: Math.round(l * 100) / 100, resetAt: reset > 0 ? new Date(reset * 1000).toISOString() : null };
}

/** The key's allowance; a 401/403 (a token revoked early: Kiro answers 403) refreshes once and asks again, then blames the key. */
export async function kiroAllowance(cred: KiroCredential, ctx: CredentialContext, host: string): Promise<KeyAllowance | null> {
  for (let attempt = 0; ; attempt++) {
    const session = await kiroSession(cred, ctx);
    const profileArn = cred.profileArn === null ? undefined : (cred.profileArn ?? session.profileArn);
    const res = await ctx.services.fetch(kiroUsageUrl(host, ctx.config, profileArn), {
      headers: { authorization: `Bearer ${session.accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(15_000),
    });
    if ((res.status === 401 || res.status === 403) && attempt === 0) {
      await res.text().catch(() => '');
      ctx.services.tokens.invalidate(kiroTokenKey(cred));
      continue;
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).slice(0, 300);
      throw new CredentialError(
        `kiro getUsageLimits answered ${res.status}${text ? `: ${text}` : ''}`,
        res.status === 401 || res.status === 403 ? res.status : 502,
      );
    }
    return kiroAllowanceOf(await res.json());
  }
}
