import type { UsageDeadLetter } from '@switchboard/contracts';
import type { PrismaClient } from '../generated/client';

/** Postgres text refuses the NUL character; written as the six characters `\u0000` (what JSON would show). */
const noNul = (s: string): string => s.replace(/\0/g, '\\u0000');

/**
 * Keeps usage records a consumer could not commit, in one statement. Idempotent by (consumer, requestId): a replayed
 * or redelivered dead letter is kept once. Returns how many rows this call added.
 */
export async function storeUsageDeadLetters(
  prisma: Pick<PrismaClient, '$executeRaw'>,
  consumer: string,
  letters: readonly Omit<UsageDeadLetter, 'consumer'>[],
): Promise<number> {
  if (!letters.length) return 0;
  const createdAt = new Date().toISOString();
  const rows = JSON.stringify(
    letters.map((l) => {
      const id = (l.record as { requestId?: unknown } | null)?.requestId;
      return {
        consumer,
        requestId: typeof id === 'string' && id ? noNul(id) : null,
        // JSON text whose escapes survive json_to_recordset (a \u0000 inside stays six characters)
        record: JSON.stringify(l.record === undefined ? null : l.record),
        error: noNul(l.error),
      };
    }),
  );
  return prisma.$executeRaw`
    INSERT INTO usage_dead_letters (consumer, "requestId", record, error, "createdAt")
    SELECT d.consumer, d."requestId", d.record, d.error, ${createdAt}::timestamptz AT TIME ZONE 'UTC'
    FROM json_to_recordset(${rows}::json) AS d(consumer text, "requestId" text, record text, error text)
    ON CONFLICT (consumer, "requestId") DO NOTHING`;
}
