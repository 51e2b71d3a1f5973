import type { Prisma, PrismaClient } from '../generated/client';

export type AuditAction = 'create' | 'update' | 'delete';
export type AuditEntity =
  'channel' | 'token' | 'user' | 'group' | 'price' | 'payment' | 'alias' | 'redemption' | 'plugin' | 'alert_channel' | 'mcp-server' | 'org';

export interface AuditEntry {
  actor: string;
  action: AuditAction;
  entity: AuditEntity;
  entityId: string | number;
  /** full snapshots with secrets already masked */
  before?: unknown;
  after?: unknown;
}

type Tx = Pick<PrismaClient, 'auditLog'> | Prisma.TransactionClient;

/** Written by the service that makes the change, in the same transaction, so no change goes unaudited. */
export async function recordAudit(tx: Tx, e: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actor: e.actor,
      action: e.action,
      entity: e.entity,
      entityId: String(e.entityId),
      before: e.before === undefined || e.before === null ? undefined : (JSON.parse(JSON.stringify(e.before)) as Prisma.InputJsonValue),
      after: e.after === undefined || e.after === null ? undefined : (JSON.parse(JSON.stringify(e.after)) as Prisma.InputJsonValue),
    },
  });
}
