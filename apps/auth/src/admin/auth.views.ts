import { storedBudget } from '../budgets/budget';
import { microsToUsd, microsToUsdOrNull, modelsFromColumn, type Group, type Token, type User } from '@switchboard/db';

/**
 * Database rows → admin API JSON (SPEC §5 names; money in USD). `budget` is the configuration here (what the audit
 * records); the admin answers add its current period's spend (AuthAdminService).
 */
export const userView = (u: User) => ({
  id: u.id,
  name: u.name,
  group: u.group,
  balance: microsToUsdOrNull(u.balanceMicros),
  status: u.status,
  rpm: u.rpm,
  tpm: u.tpm,
  maxConcurrency: u.maxConcurrency,
  budget: storedBudget(u.budget),
  builtin: u.builtin,
  role: u.role as 'root' | 'admin' | 'user',
  hasPassword: u.passwordHash !== null,
  twoFactor: u.totpEnabled,
  maxTokens: u.maxTokens,
  orgId: u.orgId,
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
});

export const tokenView = (t: Token) => ({
  id: t.id,
  name: t.name,
  userId: t.userId,
  group: t.group,
  key: t.keyPrefix,
  expiresAt: t.expiresAt?.toISOString() ?? null,
  quota: microsToUsdOrNull(t.quotaMicros),
  usedQuota: microsToUsd(t.usedQuotaMicros),
  models: modelsFromColumn(t.models),
  allowIps: t.allowIps,
  rpm: t.rpm,
  tpm: t.tpm,
  maxConcurrency: t.maxConcurrency,
  crossGroupRetry: t.crossGroupRetry,
  budget: storedBudget(t.budget),
  logBodies: t.logBodies,
  status: t.status,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export const groupView = (g: Group) => ({
  name: g.name,
  priceRatio: Number(g.priceRatio),
  rpm: g.rpm,
  tpm: g.tpm,
  maxConcurrency: g.maxConcurrency,
  budget: storedBudget(g.budget),
  logBodies: g.logBodies,
  orgId: g.orgId,
  createdAt: g.createdAt.toISOString(),
  updatedAt: g.updatedAt.toISOString(),
});
