import type { Prisma } from '@switchboard/db';

/**
 * Marks the transaction as billing's own ledger write. The users_balance_adjustment trigger (migration
 * 20261122042400_ledger_adjustments) adds every other change of a balance to users.adjustmentsMicros; billing's
 * changes are explained by the ledger entries it writes in the same transaction, so the trigger must skip them.
 */
export async function asLedgerWriter(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT set_config('switchboard.ledger_writer', 'billing', true)`;
}
