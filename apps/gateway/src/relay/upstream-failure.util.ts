import { DomainError } from '@switchboard/contracts';
import type { GatewayError } from '@switchboard/protocols';

/**
 * A 403 is a key problem only when the upstream says the key (or its account) itself is unusable: revoked, suspended,
 * leaked, not valid, no key at all. "Your API key does not have permission to use the specified resource" (Anthropic),
 * "The caller does not have permission" (Gemini) or a region block are about this request, not the key.
 */
const KEY_UNUSABLE =
  /\b(?:api[ _-]?key|key|account|organi[sz]ation|credential|project)s?\b[^.]*?\b(?:invalid|not valid|revoked|suspended|deactivated|disabled|expired|blocked|banned|leaked|deleted)\b|\b(?:invalid|revoked|suspended|deactivated|disabled|expired|leaked)\b[^.]*?\b(?:api[ _-]?key|key|account|organi[sz]ation|credential)s?\b|unregistered callers/i;
const KEY_CODES = new Set(['invalid_api_key', 'account_deactivated', 'api_key_invalid', 'api_key_revoked', 'api_key_expired', 'consumer_suspended']);

/**
 * The upstream refused the channel key itself, so every request on it would fail the same way: ban the key (probed,
 * lifted when it works again). 401 always. A 402, an Anthropic `billing_error` or an OpenAI `insufficient_quota` 429:
 * the key's own account is out of credit, which no other request on that key can get past either. A 403 only when its
 * body says the key is unusable (KEY_UNUSABLE). Anything else (a model this key may not use, a region block, a 404)
 * excludes the channel for the one request and bans nothing: a client asking for a model it cannot have must not take
 * a shared key down for everyone.
 */
export function isKeyFailure(status: number, error: GatewayError): boolean {
  if (status === 401 || status === 402) return true;
  const code = error.code?.toLowerCase();
  if (code === 'insufficient_quota' || error.type === 'insufficient_quota' || error.type === 'billing_error') return true;
  if (status !== 403) return false;
  if (code && KEY_CODES.has(code)) return true;
  return KEY_UNUSABLE.test(error.message);
}

/** The upstream is rate limiting (429 that is not an exhausted account, see isKeyFailure). */
export function isRateLimited(status: number, error: GatewayError): boolean {
  return status === 429 && !isKeyFailure(status, error);
}

/** Retry-After when a rate-limiting upstream named none (also the length of the back-off it gets). */
export const DEFAULT_RATE_LIMIT_RETRY_S = 5;

/**
 * Why every candidate of a request failed, for the answer when none is left. Rate limiting is the client's to wait out
 * (seed 000: rate limit → 429), so the client gets 429 with the soonest moment a rate-limited channel takes requests
 * again — but only when nothing was down: a channel that answered 5xx, failed on the network, timed out or is banned
 * after errors makes it "a served model whose channels are all banned or failing" (SPEC §6: 503), and a 429 would
 * tell the client that its own pace is the problem. Credential and access failures (a key refused, a model this
 * channel may not serve) are neither: they never come back by waiting, so they do not turn a 429 into a 503, and
 * alone they give 503 (SPEC §6: an upstream's credential failure is the gateway's problem).
 */
export class FailoverTally {
  rateLimited = false;
  down = false;
  /** the smallest wait an upstream or a rate-limit back-off named */
  retryAfterSeconds: number | undefined;

  /** A failed attempt: `keyFailure`/`free` ones (401–404, exhausted accounts) count as neither. */
  attempt(status: number, error: GatewayError, keyOrAccess: boolean): void {
    if (keyOrAccess) return;
    if (status === 429) this.rateLimitedFor(error.retryAfterSeconds);
    else this.down = true;
  }

  /** A candidate skipped because of a ban: a 429 back-off waits until it ends, any other ban means down. */
  banned(ban: { reason: string; status?: number; until: number }, now: number): void {
    if (ban.reason === 'backoff' && ban.status === 429) this.rateLimitedFor((ban.until - now) / 1000);
    else if (ban.reason !== 'auth') this.down = true;
  }

  private rateLimitedFor(seconds: number | undefined): void {
    this.rateLimited = true;
    if (seconds === undefined || !Number.isFinite(seconds)) return;
    const s = Math.max(1, Math.ceil(seconds));
    this.retryAfterSeconds = this.retryAfterSeconds === undefined ? s : Math.min(this.retryAfterSeconds, s);
  }

  /** 429 with Retry-After when only rate limiting stood in the way, else undefined (the caller answers 503). */
  rateLimitError(model: string): DomainError | undefined {
    if (!this.rateLimited || this.down) return undefined;
    const seconds = this.retryAfterSeconds ?? DEFAULT_RATE_LIMIT_RETRY_S;
    return new DomainError('rate_limit_exceeded', 429, `Every upstream channel for "${model}" is rate limited right now. Please try again in ${seconds}s.`, {
      retryAfterSeconds: seconds,
    });
  }
}
