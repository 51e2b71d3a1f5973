import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, recordAudit, type AuditEntry, type Org } from '@switchboard/db';

export type OrgWithUserCount = Org & { userCount: number };

/** What the org service needs of orgs; unit tests implement it in memory. */
export type Orgs = Pick<OrgRepository, keyof OrgRepository>;

/** The orgs table: each write commits with its audit record. */
@Injectable()
export class OrgRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<OrgWithUserCount[]> {
    const rows = await this.prisma.org.findMany({ orderBy: { id: 'asc' }, include: { _count: { select: { users: true } } } });
    return rows.map(({ _count, ...o }) => ({ ...o, userCount: _count.users }));
  }

  async byId(id: number): Promise<OrgWithUserCount | null> {
    const o = await this.prisma.org.findUnique({ where: { id }, include: { _count: { select: { users: true } } } });
    if (!o) return null;
    const { _count, ...org } = o;
    return { ...org, userCount: _count.users };
  }

  async create(name: string, audit: (o: Org) => AuditEntry): Promise<Org> {
    return this.prisma.$transaction(async (tx) => {
      const o = await tx.org.create({ data: { name } });
      await recordAudit(tx, audit(o));
      return o;
    });
  }

  async rename(id: number, name: string, audit: (o: Org) => AuditEntry): Promise<Org> {
    return this.prisma.$transaction(async (tx) => {
      const o = await tx.org.update({ where: { id }, data: { name } });
      await recordAudit(tx, audit(o));
      return o;
    });
  }

  /**
   * Deletes the org unless it has users or owns groups (checked under the row lock, so one added meanwhile still
   * blocks it) or MCP servers (the router's table: its foreign key refuses the delete).
   */
  async deleteIfEmpty(id: number, audit: AuditEntry): Promise<'deleted' | 'has-users' | 'owns-things'> {
    return this.prisma
      .$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM orgs WHERE id = ${id} FOR UPDATE`;
        if ((await tx.user.count({ where: { orgId: id } })) > 0) return 'has-users' as const;
        if ((await tx.group.count({ where: { orgId: id } })) > 0) return 'owns-things' as const;
        await tx.org.delete({ where: { id } });
        await recordAudit(tx, audit);
        return 'deleted' as const;
      })
      .catch((e: unknown) => {
        if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2003') return 'owns-things' as const;
        throw e;
      });
  }
}
