import { z } from 'zod';

/** Request logs, statistics, the audit log and usage dead letters (logs.admin.v1): list queries. */

const optInt = z.coerce.number().int().optional();

export const LogListQuery = z.object({
  tokenId: optInt,
  userId: optInt,
  channelId: optInt,
  status: optInt,
  model: z.string().optional(),
  /** the endpoint family (`chat.completions`, `images.generations`…), exactly */
  endpoint: z.string().max(64).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional(),
});

export const StatsQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(7),
  top: z.coerce.number().int().min(1).max(100).default(10),
  /** only this user's requests (what /api/me/usage asks for the signed-in user) */
  userId: optInt,
});

export const AuditListQuery = z.object({
  entity: z.enum(['channel', 'token', 'user', 'group', 'price', 'alias', 'redemption', 'plugin', 'alert_channel', 'mcp-server', 'org', 'payment']).optional(),
  entityId: z.string().optional(),
  action: z.enum(['create', 'update', 'delete']).optional(),
  actor: z.string().optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const DeadLetterListQuery = z.object({
  consumer: z.string().optional(),
  requestId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
