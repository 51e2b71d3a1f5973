/**
 * SQLSTATE classes and codes that say the database could not take the statement right now, not that the record is
 * bad: connection exceptions (08), insufficient resources (53), operator intervention such as "the database system is
 * starting up" (57P0x), serialization failures and deadlocks (40001, 40P01), lock not available (55P03).
 */
const TRANSIENT_SQLSTATE = /\b(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-5]|40001|40P01|55P03)\b/;
/** Prisma's own codes for the same: cannot reach / timed out / connection closed / pool timeout / write conflict. */
const TRANSIENT_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);
const TRANSIENT_TEXT =
  /can't reach database server|connection (terminated|refused|reset|closed|ended)|server closed the connection|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|the database system is (starting up|shutting down|in recovery mode)|timed out fetching a new connection|too many clients/i;

/**
 * True when a commit failed because the store was unavailable, so the same record will commit later: such a failure
 * is retried, never dead-lettered (a record dead-lettered during a Postgres restart would be missing from the logs).
 */
export function isTransientStoreError(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 4) return false;
  const err = e as { code?: unknown; message?: unknown; cause?: unknown; meta?: { code?: unknown } };
  for (const code of [err.code, err.meta?.code]) {
    if (typeof code !== 'string') continue;
    if (TRANSIENT_PRISMA.has(code) || TRANSIENT_SQLSTATE.test(code) || TRANSIENT_TEXT.test(code)) return true;
  }
  if (typeof err.message === 'string' && (TRANSIENT_SQLSTATE.test(err.message) || TRANSIENT_TEXT.test(err.message))) return true;
  return isTransientStoreError(err.cause, depth + 1);
}
