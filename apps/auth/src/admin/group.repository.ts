import { Injectable } from '@nestjs/common';
import { PrismaService, readSnapshot, recordAudit, type AuditEntry, type Group, type Prisma } from '@switchboard/db';

/** What the admin service needs of groups; unit tests implement it in memory. */
export type Groups = Pick<GroupRepository, keyof GroupRepository>;

/** The groups table for the admin API: each write commits with the audit record the caller builds from the row. */
@Injectable()
export class GroupRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One page by name and the number of groups, in one snapshot. */
  async page(limit: number, offset: number): Promise<{ rows: Group[]; total: number }> {
    return readSnapshot(this.prisma, async (tx) => ({
      rows: await tx.group.findMany({ orderBy: { name: 'asc' }, take: limit, skip: offset }),
      total: await tx.group.count(),
    }));
  }

  async byName(name: string): Promise<Group | null> {
    return this.prisma.group.findUnique({ where: { name } });
  }

  async create(data: Prisma.GroupCreateInput, audit: (created: Group) => AuditEntry): Promise<Group> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.group.create({ data });
      await recordAudit(tx, audit(row));
      return row;
    });
  }

  async update(name: string, data: Prisma.GroupUpdateInput, audit: (updated: Group) => AuditEntry): Promise<Group> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.group.update({ where: { name }, data });
      await recordAudit(tx, audit(row));
      return row;
    });
  }
}
