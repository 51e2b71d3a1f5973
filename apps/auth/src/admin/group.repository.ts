import { Injectable } from '@nestjs/common';
import { PrismaService, readSnapshot, recordAudit, type AuditEntry, type Group, type Prisma } from '@switchboard/db';

/** What the admin service needs of groups; unit tests implement it in memory. */
export type Groups = Pick<GroupRepository, keyof GroupRepository>;

/** A listed group, its users, and the tokens it governs: those naming it, and those without a group whose user is in it. */
export type GroupWithCounts = Group & { userCount: number; tokenCount: number };

/** The groups table for the admin API: each write commits with the audit record the caller builds from the row. */
@Injectable()
export class GroupRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One page by name with each group's counts, and the number of groups (of one org's, with `orgId`), in one snapshot. */
  async page(limit: number, offset: number, orgId?: number): Promise<{ rows: GroupWithCounts[]; total: number }> {
    const where = orgId === undefined ? {} : { orgId };
    return readSnapshot(this.prisma, async (tx) => {
      const groups = await tx.group.findMany({ where, orderBy: { name: 'asc' }, take: limit, skip: offset });
      const names = groups.map((g) => g.name);
      const users = await tx.user.groupBy({ by: ['group'], where: { group: { in: names } }, _count: { _all: true } });
      // A token's effective group is its own, else its user's (the one that routes and prices it).
      const tokens = await tx.$queryRaw<{ name: string; n: number }[]>`
        SELECT COALESCE(t."group", u."group") AS name, count(*)::int AS n
        FROM tokens t JOIN users u ON u.id = t."userId"
        WHERE COALESCE(t."group", u."group") = ANY(${names})
        GROUP BY 1`;
      const userCount = new Map(users.map((u) => [u.group, u._count._all]));
      const tokenCount = new Map(tokens.map((t) => [t.name, t.n]));
      return {
        rows: groups.map((g) => ({ ...g, userCount: userCount.get(g.name) ?? 0, tokenCount: tokenCount.get(g.name) ?? 0 })),
        total: await tx.group.count({ where }),
      };
    });
  }

  /** Whether a user outside `orgId`, or a token of one, is in the group (it cannot then become that org's). */
  async holdsOtherOrgs(name: string, orgId: number): Promise<boolean> {
    const [{ n }] = await this.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM users u
      WHERE u."orgId" IS DISTINCT FROM ${orgId}
        AND (u."group" = ${name} OR EXISTS (SELECT 1 FROM tokens t WHERE t."userId" = u.id AND t."group" = ${name}))`;
    return n > 0;
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
