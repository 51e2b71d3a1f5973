/** RPM/TPM sliding window: 60 one-second buckets, so a hit leaves the window 59-60 s after it was counted. */
export const WINDOW_MS = 60_000;
export const BUCKET_MS = 1_000;

/** A concurrency lease not settled within this time (crashed gateway) stops counting. */
export const DEFAULT_LEASE_TTL_MS = 10 * 60_000;

/** Retry-After for a concurrency refusal: a slot usually frees within a request's lifetime, so poll soon. */
export const CONCURRENCY_RETRY_AFTER_MS = 1_000;

/**
 * How long the store remembers that a lease is unsettled (makes settle/release idempotent). Far longer than any
 * request, including streams that outlive the concurrency lease.
 */
export const LEASE_RECORD_TTL_MS = 24 * 3_600_000;

/**
 * Window hashes live two windows after their last write: long enough for settle() to correct a live bucket,
 * short enough that idle scopes vanish.
 */
export const COUNTER_TTL_MS = 2 * WINDOW_MS;

/**
 * A quota value untouched this long is dropped and lazily re-read from the DB's view, which by then includes every
 * settled request; this heals drift such as a crashed gateway's never-refunded reservation.
 */
export const QUOTA_IDLE_TTL_MS = 24 * 3_600_000;
