import { Injectable } from '@nestjs/common';
import { PrismaService, readSnapshot, recordAudit, type AuditEntry, type Prisma, type Token } from '@switchboard/db';

export interface TokenPageFilter {
  userId?: number;
  status?: string;
  search?: string;
  /** only tokens of this organisation's users */
  orgId?: number;
}

/** What the admin service needs of tokens; unit tests implement it in memory. */
export type Tokens = Pick<TokenRepository, keyof TokenRepository>;

/**
 * The tokens table for the admin API (request-time reads and expiry flips are keys/key.repository.ts): each write
 * commits with the audit record the caller builds from the row.
 */
@Injectable()
export class TokenRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One page by id and the count over the filter, in one snapshot. `search` matches a part of the name (any case) or
   * the start of the stored key prefix (`sk-abcd…wxyz`), so a key seen in a client's config can be traced to its token.
   */
  async page(filter: TokenPageFilter, limit: number, offset: number): Promise<{ rows: Token[]; total: number }> {
    // Prisma passes `contains`/`startsWith` to LIKE as given: escape its wildcards so "_" and "%" match themselves.
    const search = filter.search?.replace(/[\\%_]/g, (c) => `\\${c}`);
    const where: Prisma.TokenWhereInput = {
      ...(filter.userId !== undefined ? { userId: filter.userId } : {}),
      ...(filter.status !== undefined ? { status: filter.status } : {}),
      ...(filter.orgId !== undefined ? { user: { orgId: filter.orgId } } : {}),
      ...(search ? { OR: [{ name: { contains: search, mode: 'insensitive' as const } }, { keyPrefix: { startsWith: search } }] } : {}),
    };
    return readSnapshot(this.prisma, async (tx) => ({
      rows: await tx.token.findMany({ where, orderBy: { id: 'asc' }, take: limit, skip: offset }),
      total: await tx.token.count({ where }),
    }));
  }

  async byId(id: number): Promise<Token | null> {
    return this.prisma.token.findUnique({ where: { id } });
  }

  async ofUser(userId: number): Promise<Token[]> {
    return this.prisma.token.findMany({ where: { userId } });
  }

  async keyHashesOfUser(userId: number): Promise<string[]> {
    const rows = await this.prisma.token.findMany({ where: { userId }, select: { keyHash: true } });
    return rows.map((r) => r.keyHash);
  }

  async create(data: Prisma.TokenUncheckedCreateInput, audit: (created: Token) => AuditEntry): Promise<Token> {
    return this.prisma.$transaction(async (tx) => {
      const t = await tx.token.create({ data });
      await recordAudit(tx, audit(t));
      return t;
    });
  }

  /**
   * Locks the row and re-reads it before `change` computes the write: billing may be moving usedQuota (and flipping
   * `exhausted`) right now, and what `change` decides must see its last commit and hold until ours. Null if the
   * token is gone.
   */
  async update(
    id: number,
    change: (current: Token) => Prisma.TokenUncheckedUpdateInput,
    audit: (before: Token, after: Token) => AuditEntry,
  ): Promise<Token | null> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM tokens WHERE id = ${id} FOR UPDATE`;
      const current = await tx.token.findUnique({ where: { id } });
      if (!current) return null;
      const t = await tx.token.update({ where: { id }, data: change(current) });
      await recordAudit(tx, audit(current, t));
      return t;
    });
  }

  async delete(id: number, audit: AuditEntry): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.token.delete({ where: { id } });
      await recordAudit(tx, audit);
    });
  }
}
