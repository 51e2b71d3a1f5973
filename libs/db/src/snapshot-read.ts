import type { Prisma, PrismaClient } from '../generated/client';

/**
 * Runs `read` in one READ ONLY, REPEATABLE READ transaction, so all its statements see one snapshot: a page and the
 * total beside it, read as two statements in READ COMMITTED, disagree when a write commits between them.
 */
export function readSnapshot<T>(prisma: Pick<PrismaClient, '$transaction'>, read: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET TRANSACTION READ ONLY`;
      return read(tx);
    },
    // Prisma's interactive defaults (2 s to get a connection, 5 s to finish) are too short for a busy pool or a large table.
    { isolationLevel: 'RepeatableRead', maxWait: 30_000, timeout: 60_000 },
  );
}
