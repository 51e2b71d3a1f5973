/** What a ban is on: a (channel, model) pair, or one key of a multi-key channel. */
export type BanTarget = { channelId: number; model: string; keyIndex?: undefined } | { channelId: number; keyIndex: number; model?: undefined };

export type BanReason =
  /** error rate over the threshold in the window: probed, a success lifts it */
  | 'error_rate'
  /** the upstream refused the key itself (401, 402, a 403 saying the key is invalid): probed, a success lifts it */
  | 'auth'
  /** 429/503 with Retry-After: a back-off that simply expires */
  | 'backoff';

export interface Ban {
  channelId: number;
  model?: string;
  keyIndex?: number;
  reason: BanReason;
  /** epoch ms */
  until: number;
  /** epoch ms; when the router's probe worker should next try it */
  nextProbeAt: number;
  detail?: string;
  /** back-offs: the upstream status that set it (429: rate limited, 503: overloaded) */
  status?: number;
}

export interface Outcome {
  channelId: number;
  model: string;
  keyIndex: number;
  /** the channel has more than one key: per-key windows and bans apply */
  multiKey: boolean;
  ok: boolean;
  /** false: the channel's autoBan is off; the attempt is counted (error rate) but never sets a ban */
  mayBan?: boolean;
  nowMs?: number;
}

export interface SuccessCount {
  channelId: number;
  model: string;
  keyIndex: number;
  multiKey: boolean;
  count: number;
  nowMs?: number;
}

export interface BanPolicy {
  /** error rate (0..1) at or above which a pair is banned */
  errorRate: number;
  /** minimum attempts in the window before a rate-based ban */
  minRequests: number;
  windowMs: number;
  /** ban length; each ban gets ±10% jitter so replicas and channels do not come back in lock-step */
  banMs: number;
  probeIntervalMs: number;
}

export const DEFAULT_BAN_POLICY: BanPolicy = { errorRate: 0.5, minRequests: 10, windowMs: 60_000, banMs: 60_000, probeIntervalMs: 15_000 };

export interface WindowStats {
  requests: number;
  errors: number;
}

/**
 * Channel health shared by every gateway replica and the router: error-rate windows (per channel, per
 * channel+model, per key) and bans. Redis in cluster mode, memory in standalone.
 */
export interface HealthStore {
  /** Counts an attempt; returns the bans this outcome newly set (the caller broadcasts them). */
  record(outcome: Outcome): Promise<Ban[]>;
  /** Counts successful attempts in bulk (a success can never set a ban, so they are flushed in batches). */
  recordSuccesses(batch: SuccessCount[]): Promise<void>;
  setBan(ban: Ban): Promise<void>;
  liftBan(target: BanTarget): Promise<boolean>;
  /** Bans in force (expired ones are dropped). */
  bans(nowMs?: number): Promise<Ban[]>;
  /** attempts and errors over the window for a channel (all models) */
  channelWindow(channelId: number, nowMs?: number): Promise<WindowStats>;
  close(): Promise<void>;
}

export const HEALTH_STORE = Symbol('HEALTH_STORE');

export function banField(t: BanTarget | Ban): string {
  return t.keyIndex !== undefined ? `${t.channelId}#${t.keyIndex}` : `${t.channelId}|${t.model}`;
}

/** ±10% jitter around the ban length. */
export function jittered(ms: number, rand: () => number = Math.random): number {
  return Math.round(ms * (0.9 + rand() * 0.2));
}
