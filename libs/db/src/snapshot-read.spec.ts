import type { Prisma, PrismaClient } from '../generated/client';
import { readSnapshot } from './snapshot-read';

describe('readSnapshot', () => {
  it('reads in one read-only REPEATABLE READ transaction and answers what the read returns', async () => {
    const sql: string[] = [];
    const options: unknown[] = [];
    const tx = { $executeRaw: (parts: TemplateStringsArray) => Promise.resolve(void sql.push(parts.join('?'))) } as unknown as Prisma.TransactionClient;
    const prisma = {
      $transaction: (fn: (t: Prisma.TransactionClient) => Promise<unknown>, o: unknown) => {
        options.push(o);
        return fn(tx);
      },
    } as unknown as Pick<PrismaClient, '$transaction'>;
    expect(
      await readSnapshot(prisma, (t) => {
        expect(t).toBe(tx);
        expect(sql).toEqual(['SET TRANSACTION READ ONLY']);
        return Promise.resolve(42);
      }),
    ).toBe(42);
    expect(options).toEqual([expect.objectContaining({ isolationLevel: 'RepeatableRead' })]);
  });
});
