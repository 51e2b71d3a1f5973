export type {
  AcquireRequest,
  AcquireResult,
  Lease,
  LimitRejectReason,
  LimitScope,
  LimitStore,
  PendingCharge,
  BilledCharge,
  QuotaAccount,
  QuotaCorrection,
  QuotaCounterSnapshot,
  QuotaSnapshot,
  ScopeRemaining,
  SettleResult,
  SettleUsage,
} from './limit-store.types';
export {
  buildLimitScopes,
  buildQuotaAccounts,
  groupScopeKey,
  tokenScopeKey,
  userScopeKey,
  type LimitSubjects,
  type QuotaSubjects,
  type ScopeLimits,
  type SubjectId,
} from './limit-scopes.builder';
export { MemoryLimitStore, type MemoryLimitStoreOptions } from './memory-limit.store';
export { RedisLimitStore, type RedisLimitStoreOptions } from './redis-limit.store';
export { LimitKeys, DEFAULT_KEY_PREFIX } from './limits.keys';
export { LIMIT_STORE, createLimitStore } from './limit-store.factory';
export { DEFAULT_LEASE_TTL_MS, WINDOW_MS, BUCKET_MS, CONCURRENCY_RETRY_AFTER_MS } from './limits.constants';
export { encodePendingCharge, decodePendingCharge, txidOfField } from './pending-charge.codec';
export { LuaScript, type ScriptClient } from './lua-script.runner';
export { LimitStoreUnavailableError } from './limit-store-unavailable.error';
export { REDIS_COMMAND_TIMEOUT_MS, REDIS_OUTAGE_OPTIONS, failFastOnceConnected, pingRedis } from './redis-outage.options';
export { RemoteLimitStore, serveLimitStoreCall, type RemoteStoreCall } from './remote-limit.store';
export { BUDGET_PERIODS, budgetWindow, periodLabel, type BudgetPeriod } from './budgets/budget-period';
export { budgetAccount, isBudgetAccount, type BudgetAccount, type BudgetState } from './budgets/budget-accounts';
