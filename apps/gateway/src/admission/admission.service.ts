import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DomainError, type PriceEntry, type VerifiedToken } from '@switchboard/contracts';
import {
  LIMIT_STORE,
  LimitStoreUnavailableError,
  buildLimitScopes,
  buildQuotaAccounts,
  tokenScopeKey,
  userScopeKey,
  type AcquireRequest,
  type AcquireResult,
  type BudgetAccount,
  type Lease,
  type LimitScope,
  type LimitStore,
} from '@switchboard/limits';
import { LogThrottle, processMetrics } from '@switchboard/observability';
import type { BillableUnits } from '@switchboard/protocols';
import { computeCostMicros } from '@switchboard/pricing';
import { BudgetGuard } from '../budgets/budget-guard';

/** Output reserved when the client names no maximum (settled to the real count afterwards). */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 4096;

export interface Admission {
  lease: Lease;
  headers: Record<string, string>;
  /** The budgets reserved on (settle checks their soft limits); absent when none applies. */
  budgets?: BudgetAccount[];
}

const SCOPE_KIND = (key: string) => key.split(':')[0] ?? 'token';

/**
 * A token's limit scopes (token, user, group), with their limits. The authenticator's cache
 * replaces a token's object when anything about it changes, never edits it, so they are built once per object.
 */
const scopeCache = new WeakMap<VerifiedToken, LimitScope[]>();
function scopesOf(token: VerifiedToken): LimitScope[] {
  let scopes = scopeCache.get(token);
  if (!scopes) {
    scopes = buildLimitScopes({
      token: { id: token.tokenId, ...token.limits },
      user: { id: token.user.id, ...token.user.limits },
      group: { name: token.group.name, ...token.group.limits },
    });
    scopeCache.set(token, scopes);
  }
  return scopes;
}

/**
 * Rate limits, concurrency and the quota reservation, in one atomic store call per request (Redis Lua across
 * replicas in cluster mode, in memory standalone). Settled with the real usage when the response ends.
 */
/** What an admission answers when no rpm/tpm limit applies: one frozen object, not one per request. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

@Injectable()
export class AdmissionService implements OnApplicationShutdown {
  private readonly metrics = processMetrics();
  private readonly logger = new Logger(AdmissionService.name);
  /** An outage fails every request: one line per interval, not one per request. */
  private readonly storeDown = new LogThrottle((line) => this.logger.error(line));

  constructor(
    @Inject(LIMIT_STORE) private readonly store: LimitStore,
    private readonly budgets: BudgetGuard,
  ) {}

  /**
   * `units`: what a family beyond chat will bill besides tokens (images, audio…), reserved at its price too.
   * `leaseTtlMs`: how long the concurrency slot is held at most (a Realtime session outlives a request).
   */
  async admit(
    requestId: string,
    token: VerifiedToken,
    price: PriceEntry | null,
    promptTokens: number,
    maxOutput: number | null,
    units: BillableUnits | null = null,
    leaseTtlMs?: number,
  ): Promise<Admission> {
    const outputTokens = maxOutput ?? DEFAULT_RESERVED_OUTPUT_TOKENS;
    const reserveMicros = price
      ? computeCostMicros({ promptTokens, completionTokens: outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 }, price, token.group.priceRatio, units)
      : 0;
    const quota = buildQuotaAccounts({
      token: { id: token.tokenId, remainingMicros: token.quotaMicros === null ? null : Math.max(0, token.quotaMicros - token.usedQuotaMicros) },
      user: { id: token.user.id, remainingMicros: token.user.balanceMicros === null ? null : Math.max(0, token.user.balanceMicros) },
    });
    // Budgets are quota accounts of their period: reserved and settled with the token quota and the balance.
    const budgets = this.budgets.accounts(token);
    if (budgets) quota.push(...budgets.quota);
    const result: AcquireResult = await this.acquire({
      requestId,
      ...(leaseTtlMs ? { leaseTtlMs } : {}),
      estimatedTokens: promptTokens + outputTokens,
      reserveMicros,
      scopes: scopesOf(token),
      quota,
    });
    if (!result.ok) {
      if (result.reason === 'quota') {
        const budget = budgets?.budgets.find((b) => b.account === result.scope);
        if (budget) throw this.budgets.refusal(budget);
        this.metrics.quotaRejected.inc({ scope: SCOPE_KIND(result.scope) });
        const who = SCOPE_KIND(result.scope) === 'user' ? 'account balance' : 'API key quota';
        throw new DomainError('insufficient_quota', 429, `You exceeded your current quota: the ${who} cannot cover this request.`);
      }
      this.metrics.rateLimited.inc({ scope: SCOPE_KIND(result.scope), limit: result.reason });
      const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      const what = result.reason === 'rpm' ? 'requests per minute' : result.reason === 'tpm' ? 'tokens per minute' : 'concurrent requests';
      // The refusal carries the x-ratelimit-* headers of the limit that refused it (OpenAI sends them on 429s too).
      const kind = result.reason === 'rpm' ? 'requests' : result.reason === 'tpm' ? 'tokens' : null;
      const headers: Record<string, string> =
        kind && result.limit !== undefined
          ? { [`x-ratelimit-limit-${kind}`]: String(result.limit), [`x-ratelimit-remaining-${kind}`]: '0', [`x-ratelimit-reset-${kind}`]: `${seconds}s` }
          : {};
      throw new DomainError(
        'rate_limit_exceeded',
        429,
        `Rate limit reached for ${what} (${SCOPE_KIND(result.scope)} limit ${result.limit ?? ''}). Please try again in ${seconds}s.`,
        {
          retryAfterSeconds: seconds,
          limit: result.reason,
          scope: SCOPE_KIND(result.scope),
          headers,
        },
      );
    }
    const admission: Admission = { lease: result.lease, headers: this.headers(token, result.remaining) };
    if (budgets) admission.budgets = budgets.budgets;
    return admission;
  }

  /** A store that cannot be asked (Redis down) refuses with 503, logged once per interval, not as a 500 per request. */
  private async acquire(req: AcquireRequest): Promise<AcquireResult> {
    try {
      return await this.store.acquire(req);
    } catch (e) {
      if (!(e instanceof LimitStoreUnavailableError)) throw e;
      this.storeDown.log(`admission refused with 503: ${e.message}`);
      throw new DomainError('service_unavailable', 503, 'Rate limits and quotas cannot be checked right now; retry shortly.', { retryAfterSeconds: 1 });
    }
  }

  /**
   * OpenAI-style x-ratelimit-* headers for the tightest limit that applies (the token's own, or its group's): the
   * scope with the fewest requests (tokens) left answers for requests (tokens). No header where no limit applies.
   */
  private headers(token: VerifiedToken, remaining: Extract<AcquireResult, { ok: true }>['remaining']): Record<string, string> {
    // No rpm/tpm limit answered (the common unlimited key): nothing to build per request.
    if (!remaining.length) return NO_HEADERS;
    const scopes = scopesOf(token);
    let requests: { limit: number; left: number; resetMs: number } | undefined;
    let tokens: { limit: number; left: number; resetMs: number } | undefined;
    for (const r of remaining) {
      // the scope carries its own limits (what was asked of the store)
      const l = scopes.find((s) => s.key === r.scope);
      if (!l) continue;
      if (typeof l.rpm === 'number' && r.rpmRemaining !== undefined && (!requests || r.rpmRemaining < requests.left)) {
        requests = { limit: l.rpm, left: r.rpmRemaining, resetMs: r.resetMs };
      }
      if (typeof l.tpm === 'number' && r.tpmRemaining !== undefined && (!tokens || r.tpmRemaining < tokens.left)) {
        tokens = { limit: l.tpm, left: Math.max(0, r.tpmRemaining), resetMs: r.resetMs };
      }
    }
    const h: Record<string, string> = {};
    const reset = (ms: number) => `${Math.max(0, Math.ceil(ms / 1000))}s`;
    if (requests) {
      h['x-ratelimit-limit-requests'] = String(requests.limit);
      h['x-ratelimit-remaining-requests'] = String(requests.left);
      h['x-ratelimit-reset-requests'] = reset(requests.resetMs);
    }
    if (tokens) {
      h['x-ratelimit-limit-tokens'] = String(tokens.limit);
      h['x-ratelimit-remaining-tokens'] = String(tokens.left);
      h['x-ratelimit-reset-tokens'] = reset(tokens.resetMs);
    }
    return h;
  }

  async settle(lease: Lease, tokens: number, costMicros: number, budgets?: BudgetAccount[]): Promise<unknown> {
    const settled = await this.store.settle(lease, { tokens, costMicros });
    if (budgets) await this.budgets.settled(budgets, settled);
    return settled;
  }

  release(lease: Lease): Promise<void> {
    return this.store.release(lease);
  }

  /** An admin changed a quota or balance: forget the counters so the next request re-reads the new value. */
  async resetQuota(tokenIds: number[], userIds: number[]): Promise<void> {
    await Promise.all([
      ...tokenIds.map((id) => this.store.setRemaining(tokenScopeKey(id), null)),
      ...userIds.map((id) => this.store.setRemaining(userScopeKey(id), null)),
    ]);
  }

  /** After the HTTP server closed: streams that were still running settle their leases first. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
