import { Injectable } from '@nestjs/common';
import { PrismaService, readSnapshot, recordAudit, type AuditEntry, type Prisma, type User } from '@switchboard/db';

/** What the admin service needs of users; unit tests implement it in memory. */
export type Users = Pick<UserRepository, keyof UserRepository>;

/** The users a list keeps: `search` in the name (case-insensitive) or, when it is a number, the id. */
export interface UserFilter {
  search?: string;
  group?: string;
  status?: string;
  /** only this organisation's users */
  orgId?: number;
}

/** A listed user and how many tokens it owns. */
export type UserWithTokenCount = User & { tokenCount: number };

function userWhere(f: UserFilter): Prisma.UserWhereInput {
  const where: Prisma.UserWhereInput = {};
  if (f.group) where.group = f.group;
  if (f.status) where.status = f.status;
  if (f.orgId !== undefined) where.orgId = f.orgId;
  if (f.search) {
    const id = /^\d{1,10}$/.test(f.search) ? Number(f.search) : NaN;
    // Prisma passes `contains` to ILIKE as it is: escape its wildcards so "%" or "_" is searched for as text.
    const byName: Prisma.UserWhereInput = { name: { contains: f.search.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' } };
    where.OR = Number.isSafeInteger(id) && id <= 2_147_483_647 ? [byName, { id }] : [byName];
  }
  return where;
}

/** The users table for the admin API: each write commits with the audit record the caller builds from the row. */
@Injectable()
export class UserRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One page by id (each user with its token count) and the number of users over the filter, in one snapshot. */
  async page(filter: UserFilter, limit: number, offset: number): Promise<{ rows: UserWithTokenCount[]; total: number }> {
    const where = userWhere(filter);
    return readSnapshot(this.prisma, async (tx) => {
      const rows = await tx.user.findMany({ where, orderBy: { id: 'asc' }, take: limit, skip: offset, include: { _count: { select: { tokens: true } } } });
      return {
        rows: rows.map(({ _count, ...u }) => ({ ...u, tokenCount: _count.tokens })),
        total: await tx.user.count({ where }),
      };
    });
  }

  async byId(id: number): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  /** Active users with role root (the last one may not be demoted, disabled or deleted). */
  async activeRootCount(): Promise<number> {
    return this.prisma.user.count({ where: { role: 'root', status: 'active' } });
  }

  async byName(name: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { name } });
  }

  async create(data: Prisma.UserUncheckedCreateInput, audit: (created: User) => AuditEntry): Promise<User> {
    return this.prisma.$transaction(async (tx) => {
      const u = await tx.user.create({ data });
      await recordAudit(tx, audit(u));
      return u;
    });
  }

  async update(id: number, data: Prisma.UserUncheckedUpdateInput, audit: (updated: User) => AuditEntry): Promise<User> {
    return this.prisma.$transaction(async (tx) => {
      const u = await tx.user.update({ where: { id }, data });
      await recordAudit(tx, audit(u));
      return u;
    });
  }

  /** Deletes the user (its tokens go with it: ON DELETE CASCADE) and records `audits` in order, in one transaction. */
  async delete(id: number, audits: AuditEntry[]): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.user.delete({ where: { id } });
      for (const a of audits) await recordAudit(tx, a);
    });
  }
}
