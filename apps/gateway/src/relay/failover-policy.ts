import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import type { DomainError } from '@switchboard/contracts';
import type { Ban, Outcome } from '@switchboard/health';
import { statusClass } from '@switchboard/observability';
import type { GatewayError } from '@switchboard/protocols';
import type { RuntimeChannel } from '../state/routing-table.service';
import { RelayErrors } from './relay.errors';
import type { UpstreamFailureKind } from './upstream.client';
import { DEFAULT_RATE_LIMIT_RETRY_S, isKeyFailure, type FailoverTally } from './upstream-failure.util';

/** How one upstream attempt ended, when it did not deliver to the client. */
export interface AttemptFailure {
  status: number;
  kind: 'http' | UpstreamFailureKind;
  error: GatewayError;
  /** 400/413/422: the request itself is bad; the client gets it as is, nothing else is tried */
  final: boolean;
  /** 401/402/403/404 or an exhausted account: this channel cannot serve; try the next without spending retry budget */
  free: boolean;
  /** the upstream refused the channel key itself (isKeyFailure): the key is banned, another key may serve */
  keyFailure?: boolean;
}

/** What a failed attempt costs the request's retry budget. */
export type RetryCharge = 'free' | 'retry' | 'exhausted';

/** A failure the gateway decided without an upstream answer (no adapter, nothing the channel can serve). */
export function localFailure(status: number, message: string): AttemptFailure {
  return { status, kind: 'http', error: { status, message }, final: false, free: false };
}

/** The upstream was not reached or broke off (connect, timeouts, a body too large or not JSON). */
export function transportFailure(status: number, kind: UpstreamFailureKind, message: string): AttemptFailure {
  return { status, kind, error: { status: 502, message }, final: false, free: false };
}

/**
 * The failover rules, without I/O: how an attempt's failure is classified, which ban it sets, what it costs the retry
 * budget, and the answer when every candidate failed. The failover loop applies them.
 */
@Injectable()
export class FailoverPolicy {
  readonly retryBudget: number;
  private readonly banProbeIntervalMs: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'RETRY_BUDGET' | 'BAN_PROBE_INTERVAL_MS'>) {
    this.retryBudget = config.RETRY_BUDGET;
    this.banProbeIntervalMs = config.BAN_PROBE_INTERVAL_MS;
  }

  /** An upstream error answer; `mapped` is its status after the channel's statusCodeMapping. */
  httpFailure(mapped: number, error: GatewayError): AttemptFailure {
    const keyFailure = isKeyFailure(error.status === 401 ? 401 : mapped, error);
    return {
      status: mapped,
      kind: 'http',
      error: { ...error, status: mapped },
      // A Gemini key the upstream says is not valid comes as a 400: the gateway's problem, not the client's request.
      final: !keyFailure && (mapped === 400 || mapped === 413 || mapped === 422),
      free: keyFailure || mapped === 401 || mapped === 402 || mapped === 403 || mapped === 404,
      keyFailure,
    };
  }

  /** The request could not be turned into the upstream's body: the client's request is at fault, as is. */
  requestFailure(e: unknown): AttemptFailure {
    const err = e as { status?: number; message?: string; type?: string; param?: string };
    return {
      status: err.status ?? 400,
      kind: 'http',
      error: { status: err.status ?? 400, message: err.message ?? 'invalid request', type: err.type, param: err.param },
      final: true,
      free: false,
    };
  }

  /** The channel cannot serve this request at all (no protocol for it): the next one may, at no budget. */
  unsupported(channelId: number): AttemptFailure {
    return { ...localFailure(400, `channel ${channelId} cannot serve this request`), final: false, free: true };
  }

  /** The error-rate window's record of an attempt; none for a malformed request (it says nothing of the channel). */
  healthOutcome(channel: RuntimeChannel, model: string, keyIndex: number, failure: AttemptFailure | undefined, upstreamBroken: boolean): Outcome | null {
    if (failure?.final) return null;
    return { channelId: channel.id, model, keyIndex, multiKey: channel.keys.length > 1, ok: !failure && !upstreamBroken, mayBan: channel.autoBan };
  }

  /**
   * The ban the relay sets itself: a key the upstream refused (isKeyFailure, lifted by a successful probe) and a
   * back-off after 429/503 (honouring Retry-After within 1..60 s, simply expires). A channel with autoBan off is
   * counted but never banned: it is only excluded within the request that failed.
   */
  banAfter(channel: RuntimeChannel, model: string, keyIndex: number, failure: AttemptFailure | undefined, now: number): Ban | null {
    if (!failure || failure.final || failure.kind !== 'http' || !channel.autoBan) return null;
    if (failure.keyFailure) {
      return {
        channelId: channel.id,
        keyIndex,
        reason: 'auth',
        until: now + 24 * 3600_000,
        nextProbeAt: now + this.banProbeIntervalMs,
        detail: `upstream answered ${failure.status}: ${failure.error.message.slice(0, 200)}`,
      };
    }
    if (failure.status === 429 || failure.status === 503) {
      const seconds = Math.min(60, Math.max(1, failure.error.retryAfterSeconds ?? DEFAULT_RATE_LIMIT_RETRY_S));
      return { channelId: channel.id, model, reason: 'backoff', status: failure.status, until: now + seconds * 1000, nextProbeAt: now + seconds * 1000 };
    }
    return null;
  }

  /** The upstream refused this key itself: another key of a multi-key channel may still serve. */
  excludes(failure: AttemptFailure, channel: RuntimeChannel): 'key' | 'channel' {
    return failure.keyFailure && channel.keys.length > 1 ? 'key' : 'channel';
  }

  /** Spends a retry from `state.budget` unless the failure is free; 'exhausted' ends the request (every model). */
  charge(failure: AttemptFailure, state: { budget: number }): RetryCharge {
    if (failure.free) return 'free';
    return state.budget-- <= 0 ? 'exhausted' : 'retry';
  }

  /** The `reason` label of switchboard_retries_total. */
  retryReason(failure: AttemptFailure): string {
    return failure.kind === 'http' ? statusClass(failure.status) : failure.kind;
  }

  /**
   * The answer when no attempt delivered: a first-byte timeout → 504; only rate limiting in the way (`tally`, fed
   * with the attempts and the bans of every candidate) → 429; an answer too large → 502; else 503.
   */
  exhaustedError(model: string, last: AttemptFailure | undefined, sawCandidate: boolean, tally: FailoverTally): DomainError {
    if (last?.kind === 'timeout_first_byte') return RelayErrors.timeout(model);
    const rateLimited = tally.rateLimitError(model);
    if (rateLimited) return rateLimited;
    if (last?.kind === 'too_large') return RelayErrors.tooLarge(model, last.error.message);
    if (!sawCandidate) return RelayErrors.noChannel(model, 'every channel is banned after recent failures');
    return RelayErrors.noChannel(model, last?.error.message);
  }
}
