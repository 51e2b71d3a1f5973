import type { PrismaService } from '@switchboard/db';

/**
 * `prisma` with another connection's write (`commit`, run on the plain client) committed before each of its
 * statements but the first: a list that reads its page and its total as two statements in READ COMMITTED then
 * counts a row its page does not show. Statements sent together (Promise.all) still run on two connections, so
 * they see it too.
 */
export function committingBetweenStatements(prisma: PrismaService, commit: () => Promise<unknown>): PrismaService {
  let statements = 0;
  return prisma.$extends({
    query: {
      $allOperations: async ({ args, query }) => {
        if (statements++ > 0) await commit();
        return query(args);
      },
    },
  }) as unknown as PrismaService;
}
