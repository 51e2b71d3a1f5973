import { Inject, Injectable, Logger } from '@nestjs/common';
import { hashApiKey, ipAllowed } from '@switchboard/common';
import { DomainError, type VerifiedToken } from '@switchboard/contracts';
import { LIMIT_STORE, buildLimitScopes, type LimitStore } from '@switchboard/limits';
import type { FastifyRequest } from 'fastify';
import { readApiKey } from '../relay/inbound';
import { RelayErrors } from '../relay/relay.errors';
import { newRequestId } from '../relay/request-id';
import { TokenCache } from '../state/token-cache.service';
import { FailureThrottle } from './failure-throttle';

/** What authentication reads of a request: the key carriers and the client address. */
export type KeyRequest = Pick<FastifyRequest, 'headers' | 'query' | 'ip'>;

/** Unknown keys from one address inside a minute before that address is throttled. */
export const MAX_KEY_FAILURES = 60;
export const KEY_FAILURE_WINDOW_MS = 60_000;

export interface AdmitOptions {
  /** the model the request names: checked against the key's allow-list */
  model?: string;
  /** an exhausted key may still do what costs nothing and refills it (POST /api/redeem) */
  allowExhausted?: boolean;
}

/** The request property that keeps identify()'s answer (the edge declares it on fastify's requests). */
export const IDENTITY_PROPERTY = 'switchboardIdentity';
type Memo = { [IDENTITY_PROPERTY]?: Promise<VerifiedToken> | null };

/**
 * The one API-key check of every client endpoint (relay, count_tokens, model lists, /api/redeem), in one order:
 * key → status → expiry → user status → IP allow-list → model allow-list (where a model is named).
 *
 * `identify` needs only the headers, so the edge runs it before a body is read (a keyless 10 MB upload gets its 401
 * at once); its answer is kept on the request, so the route's own check costs no second lookup.
 *
 * Unknown keys are counted per address; an address over MAX_KEY_FAILURES a minute is throttled: keys this gateway
 * has not verified already get 429 with Retry-After without a lookup on the bus (guessing costs nothing but the
 * 429), while keys it has verified recently keep working — a client behind the same NAT as a misconfigured or
 * hostile one is not locked out, and a guess can only succeed against a key that is already cached.
 */
@Injectable()
export class KeyAuthenticator {
  private readonly logger = new Logger(KeyAuthenticator.name);
  private readonly throttle = new FailureThrottle({ maxFailures: MAX_KEY_FAILURES, windowMs: KEY_FAILURE_WINDOW_MS });

  constructor(
    private readonly tokens: TokenCache,
    @Inject(LIMIT_STORE) private readonly limits: LimitStore,
  ) {}

  /** The key's token from the headers alone: 401 when missing or unknown, 429 from a throttled address. */
  identify(req: KeyRequest): Promise<VerifiedToken> {
    const memo = req as KeyRequest & Memo;
    return (memo[IDENTITY_PROPERTY] ??= this.lookup(req));
  }

  /** Runs the request as this token (the console's playground): identify() then answers it without reading a key. */
  actAs(req: KeyRequest, token: VerifiedToken): void {
    (req as KeyRequest & Memo)[IDENTITY_PROPERTY] = Promise.resolve(token);
  }

  /** Whether identify() already ran for this request (its answer is kept on it). */
  identified(req: KeyRequest): boolean {
    return (req as KeyRequest & Memo)[IDENTITY_PROPERTY] != null;
  }

  private async lookup(req: KeyRequest): Promise<VerifiedToken> {
    const key = readApiKey(req);
    if (!key) throw RelayErrors.missingKey();
    const hash = hashApiKey(key);
    const lockedFor = this.throttle.lockedFor(req.ip);
    if (lockedFor > 0) {
      const known = this.tokens.peek(hash);
      if (known) return known;
      throw new DomainError('too_many_attempts', 429, `Too many requests with invalid API keys from this address; try again in ${lockedFor}s.`, {
        retryAfterSeconds: lockedFor,
      });
    }
    const token = await this.tokens.get(hash);
    if (token) return token;
    if (this.throttle.fail(req.ip)) this.logger.warn(`${MAX_KEY_FAILURES} unknown API keys from ${req.ip} within a minute; throttling it`);
    throw RelayErrors.badKey();
  }

  /** The checks after identification, in order: status → expiry → user status → IP allow-list → model allow-list. */
  admit(token: VerifiedToken, ip: string, options: AdmitOptions = {}): void {
    if (token.status !== 'active' && !(options.allowExhausted && token.status === 'exhausted')) {
      if (token.status === 'exhausted') throw new DomainError('insufficient_quota', 429, 'This API key has used up its quota.');
      throw RelayErrors.tokenInactive(token.status);
    }
    if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) throw RelayErrors.tokenInactive('expired');
    if (token.user.status !== 'active') throw RelayErrors.userDisabled();
    if (!ipAllowed(token.allowIps, ip)) throw RelayErrors.ipNotAllowed(ip);
    const model = options.model;
    if (model && token.models && !token.models.includes(model)) throw RelayErrors.modelNotAllowed(model);
  }

  /**
   * One request against the key's RPM (token, user and group scopes) for endpoints that reserve nothing (model lists,
   * count_tokens): no tokens, no quota, and no concurrency slot kept (a count while a stream runs is not refused).
   */
  async countRequest(token: VerifiedToken): Promise<void> {
    const strip = (l: VerifiedToken['limits']) => ({ rpm: l.rpm, tpm: null, maxConcurrency: null });
    const result = await this.limits.acquire({
      requestId: newRequestId(),
      estimatedTokens: 0,
      reserveMicros: 0,
      quota: [],
      scopes: buildLimitScopes({
        token: { id: token.tokenId, ...strip(token.limits) },
        user: { id: token.user.id, ...strip(token.user.limits) },
        group: { name: token.group.name, ...strip(token.group.limits) },
      }),
    });
    if (!result.ok) {
      const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      throw new DomainError(
        'rate_limit_exceeded',
        429,
        `Rate limit reached for requests per minute (${result.scope.split(':')[0]} limit ${result.limit ?? ''}). Please try again in ${seconds}s.`,
        {
          retryAfterSeconds: seconds,
        },
      );
    }
    this.limits.release(result.lease).catch((e: unknown) => this.logger.warn(`releasing a counted request failed: ${(e as Error).message}`));
  }

  /** identify → admit → count: the whole check of an endpoint that reserves nothing. */
  async authenticate(req: KeyRequest, options: AdmitOptions & { countRequest?: boolean } = {}): Promise<VerifiedToken> {
    const token = await this.identify(req);
    this.admit(token, req.ip, options);
    if (options.countRequest) await this.countRequest(token);
    return token;
  }
}
