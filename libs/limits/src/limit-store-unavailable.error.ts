/**
 * The store could not be asked (Redis down, not answering in time, or refusing the command): nothing is known about
 * the call's outcome. The gateway answers 503; settles and releases are kept and sent again when Redis is back.
 */
export class LimitStoreUnavailableError extends Error {
  readonly code = 'LIMIT_STORE_UNAVAILABLE';

  constructor(override readonly cause: unknown) {
    super(`the limit store is unavailable: ${(cause as Error)?.message ?? String(cause)}`);
  }
}
