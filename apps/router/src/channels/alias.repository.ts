import { Injectable } from '@nestjs/common';
import { PrismaService, recordAudit, type Alias, type AuditEntry, type Prisma } from '@switchboard/db';

/** What the admin API needs of aliases; unit tests implement it in memory. */
export type Aliases = Pick<AliasRepository, keyof AliasRepository>;

/** Aliases for the admin API (the routing table reads them through ChannelRepository): writes commit with their audit. */
@Injectable()
export class AliasRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Every alias, by name. */
  async list(): Promise<Alias[]> {
    return this.prisma.alias.findMany({ orderBy: { name: 'asc' } });
  }

  async byName(name: string): Promise<Alias | null> {
    return this.prisma.alias.findUnique({ where: { name } });
  }

  async create(data: Prisma.AliasCreateInput, audit: (created: Alias) => AuditEntry): Promise<Alias> {
    return this.prisma.$transaction(async (tx) => {
      const a = await tx.alias.create({ data });
      await recordAudit(tx, audit(a));
      return a;
    });
  }

  async update(name: string, data: Prisma.AliasUpdateInput, audit: (updated: Alias) => AuditEntry): Promise<Alias> {
    return this.prisma.$transaction(async (tx) => {
      const a = await tx.alias.update({ where: { name }, data });
      await recordAudit(tx, audit(a));
      return a;
    });
  }

  async delete(name: string, audit: AuditEntry): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.alias.delete({ where: { name } });
      await recordAudit(tx, audit);
    });
  }
}
