import { BUCKET_MS, WINDOW_MS } from './limits.constants';

/**
 * Sliding-window arithmetic shared by MemoryLimitStore; limits-acquire.lua implements the same rules.
 *
 * Why 60 one-second buckets (a hash per scope) rather than a ZSET of hits: memory and per-call work are bounded by
 * 60 fields whatever the traffic (a ZSET for RPM 10 000 holds 10 000 members), TPM needs summed weights anyway, and
 * one-second granularity is the precision the contract asks for. A hit counted in second s leaves the window when
 * second s+60 starts, i.e. 59-60 s after it happened.
 */
export const BUCKETS_PER_WINDOW = WINDOW_MS / BUCKET_MS;

export const bucketOf = (ms: number): number => Math.floor(ms / BUCKET_MS);

/** First bucket still inside the window at `nowMs`. */
export const oldestLiveBucket = (nowMs: number): number => bucketOf(nowMs) - BUCKETS_PER_WINDOW + 1;

export interface WindowView {
  sum: number;
  /** Oldest live bucket (Infinity when none). */
  oldest: number;
  /** The scope's buckets, stale ones already deleted (undefined when the scope has none). */
  buckets: Map<number, number> | undefined;
}

/**
 * Sums the live buckets and deletes the stale ones from `buckets` (if given). No per-bucket allocation: every request
 * reads each scope's windows, and only a refusal needs the buckets in order (`retryAfterMs` sorts them then).
 */
export function readWindow(buckets: Map<number, number> | undefined, nowMs: number): WindowView {
  const view: WindowView = { sum: 0, oldest: Number.POSITIVE_INFINITY, buckets };
  if (!buckets) return view;
  const oldest = oldestLiveBucket(nowMs);
  // forEach, not for…of: no [bucket, amount] entry array per bucket (deleting the current entry is allowed in both)
  buckets.forEach((amount, b) => {
    if (b < oldest) buckets.delete(b);
    else {
      view.sum += amount;
      if (b < view.oldest) view.oldest = b;
    }
  });
  return view;
}

/** ms until at least `excess` units have left the window (the whole window if they never will). */
export function retryAfterMs(view: WindowView, excess: number, nowMs: number): number {
  const live = view.buckets ? [...view.buckets].sort((x, y) => x[0] - y[0]) : [];
  let freed = 0;
  for (const [b, amount] of live) {
    freed += amount;
    if (freed >= excess) return (b + BUCKETS_PER_WINDOW) * BUCKET_MS - nowMs;
  }
  return WINDOW_MS;
}

/** Requests that must leave the window before one more fits under `rpm` (0 = fits now). */
export function rpmExcess(sum: number, rpm: number): number {
  return Math.max(0, sum + 1 - rpm);
}

/**
 * Tokens that must leave the window before `estimated` more fit under `tpm` (0 = fits now; Infinity = never).
 * A request whose estimate alone exceeds a positive limit is let into an EMPTY window (otherwise it would be starved
 * forever: the estimate includes the requested max output, which is usually far above the actual use).
 */
export function tpmExcess(sum: number, estimated: number, tpm: number): number {
  if (sum + estimated <= tpm) return 0;
  if (tpm <= 0) return Number.POSITIVE_INFINITY;
  if (sum <= 0) return 0;
  return Math.min(sum, sum + estimated - tpm);
}

/** After a hit in the current bucket: ms until the oldest hit in the window leaves it (when remaining next grows). */
export function resetMs(view: WindowView, nowMs: number): number {
  const current = bucketOf(nowMs);
  const first = Math.min(view.oldest, current);
  return (first + BUCKETS_PER_WINDOW) * BUCKET_MS - nowMs;
}
