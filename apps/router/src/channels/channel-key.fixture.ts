import type { ChannelKey } from '@switchboard/db';

/** The usage and allowance columns of a key nothing has used or reported on yet (what a new row holds). */
export const KEY_COUNTERS_NONE: Pick<
  ChannelKey,
  | 'requests'
  | 'errors'
  | 'inputTokens'
  | 'outputTokens'
  | 'lastUsedAt'
  | 'allowanceUsed'
  | 'allowanceLimit'
  | 'allowanceResetAt'
  | 'allowanceCheckedAt'
  | 'allowanceError'
> = {
  requests: 0n,
  errors: 0n,
  inputTokens: 0n,
  outputTokens: 0n,
  lastUsedAt: null,
  allowanceUsed: null,
  allowanceLimit: null,
  allowanceResetAt: null,
  allowanceCheckedAt: null,
  allowanceError: null,
};
