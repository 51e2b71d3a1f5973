import { Injectable } from '@nestjs/common';
import { PrismaService, readSnapshot, recordAudit, type AuditEntry, type Prisma, type User } from '@switchboard/db';

/** What the admin service needs of users; unit tests implement it in memory. */
export type Users = Pick<UserRepository, keyof UserRepository>;

/** The users table for the admin API: each write commits with the audit record the caller builds from the row. */
@Injectable()
export class UserRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One page by id and the number of users, in one snapshot. */
  async page(limit: number, offset: number): Promise<{ rows: User[]; total: number }> {
    return readSnapshot(this.prisma, async (tx) => ({
      rows: await tx.user.findMany({ orderBy: { id: 'asc' }, take: limit, skip: offset }),
      total: await tx.user.count(),
    }));
  }

  async byId(id: number): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  async byName(name: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { name } });
  }

  async create(data: Prisma.UserCreateInput, audit: (created: User) => AuditEntry): Promise<User> {
    return this.prisma.$transaction(async (tx) => {
      const u = await tx.user.create({ data });
      await recordAudit(tx, audit(u));
      return u;
    });
  }

  async update(id: number, data: Prisma.UserUpdateInput, audit: (updated: User) => AuditEntry): Promise<User> {
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
