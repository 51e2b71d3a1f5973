export { PrismaClient, Prisma } from '../generated/client';
export type {
  User,
  Group,
  Token,
  Channel,
  ChannelKey,
  ChannelBalance,
  Alias,
  Price,
  LedgerEntry,
  Redemption,
  RequestLog,
  AuditLog,
  PluginConfig,
  AlertChannel,
  McpServer,
  UserIdentity,
  Passkey,
  Org,
} from '../generated/client';
export type { Database, DatabaseKind, EmbeddedDatabaseHost, OpenDatabaseOptions } from './database.types';
export { openDatabase } from './database';
export { migrate, MIGRATION_ADVISORY_LOCK, type MigrateOptions, type MigrateResult } from './migrate';
export { seed, ADMIN_USER_NAME, DEFAULT_GROUP, type SeedResult } from './seed';
export { DbModule, DATABASE, PrismaService, type DbModuleOptions, type DbModuleAsyncOptions } from './db.module';
export { usdToMicros, microsToUsd, usdToMicrosOrNull, microsToUsdOrNull, MICROS_PER_USD } from './money';
export { modelsFromColumn, modelsToColumn } from './token-models';
export { resolveDbAssets, type DbAssets } from './paths';
export { recordAudit, type AuditEntry, type AuditAction, type AuditEntity } from './audit';
export { storeUsageDeadLetters } from './usage-dead-letters';
export { readSnapshot } from './snapshot-read';
