import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, recordAudit, type AuditEntry, type Price } from '@switchboard/db';

/** A price's columns, without its model; the by-size image prices as micro-USD by key (null: none). */
export type PriceData = Omit<Price, 'model' | 'createdAt' | 'updatedAt' | 'perImageBySizeMicros'> & {
  perImageBySizeMicros: Record<string, number> | null;
};

/** Prisma stores SQL NULL in a Json column only when told so (a plain null is refused). */
const columns = (d: PriceData) => ({ ...d, perImageBySizeMicros: d.perImageBySizeMicros ?? Prisma.DbNull });

/** What the price service needs of the database; unit tests implement it in memory. */
export type Prices = Pick<PriceRepository, keyof PriceRepository>;

/** The SQL of the price table. */
@Injectable()
export class PriceRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inserts the prices whose model has none yet; returns how many it inserted. */
  async insertMissing(prices: (PriceData & { model: string })[]): Promise<number> {
    const { count } = await this.prisma.price.createMany({ data: prices.map((p) => ({ ...columns(p), model: p.model })), skipDuplicates: true });
    return count;
  }

  async all(): Promise<Price[]> {
    return this.prisma.price.findMany();
  }

  async byModel(model: string): Promise<Price | null> {
    return this.prisma.price.findUnique({ where: { model } });
  }

  async allByModel(): Promise<Price[]> {
    return this.prisma.price.findMany({ orderBy: { model: 'asc' } });
  }

  /** Creates or replaces the model's price and records the audit entry `audit` builds, in one transaction. */
  async putAudited(model: string, data: PriceData, audit: (before: Price | null, after: Price) => AuditEntry): Promise<Price> {
    return this.prisma.$transaction(async (tx) => {
      const before = await tx.price.findUnique({ where: { model } });
      const p = await tx.price.upsert({ where: { model }, create: { model, ...columns(data) }, update: columns(data) });
      await recordAudit(tx, audit(before, p));
      return p;
    });
  }

  /**
   * Replaces the model's price with `builtin` (its list price) or, without one, deletes it; the audit `audit` builds
   * from the row before and after (null: deleted) is written in the same transaction. Null when the model had no price.
   */
  async resetAudited(
    model: string,
    builtin: PriceData | null,
    audit: (before: Price, after: Price | null) => AuditEntry,
  ): Promise<{ before: Price; after: Price | null } | null> {
    return this.prisma.$transaction(async (tx) => {
      const before = await tx.price.findUnique({ where: { model } });
      if (!before) return null;
      const after = builtin ? await tx.price.update({ where: { model }, data: columns(builtin) }) : null;
      if (!after) await tx.price.delete({ where: { model } });
      await recordAudit(tx, audit(before, after));
      return { before, after };
    });
  }
}
