import { Inject, Injectable } from '@nestjs/common';
import { DomainError, Subjects, notFound, type TopUp } from '@switchboard/contracts';
import { microsToUsd, usdToMicros } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import type { z } from 'zod';
import { BalanceRepository, type Balances } from './balance.repository';

/** Admin top-ups: a ledger credit and the balance move in one transaction. */
@Injectable()
export class BalanceService {
  constructor(
    @Inject(BalanceRepository) private readonly balances: Balances,
    private readonly bus: Bus,
  ) {}

  async topUp(id: string | undefined, { amount }: z.output<typeof TopUp>, actor: string): Promise<{ balance: number }> {
    const userId = Number(id);
    if (!Number.isSafeInteger(userId)) throw notFound('user');
    const micros = usdToMicros(amount);
    if (micros <= 0n) throw new DomainError('invalid_request', 400, 'amount: must be at least 0.000001', { field: 'amount' });
    const credited = await this.balances.creditAudited({ userId, tokenId: null, kind: 'topup', reference: null, amountMicros: micros }, (c) => ({
      actor,
      action: 'update',
      entity: 'user',
      entityId: userId,
      before: { id: userId, name: c.name, balance: microsToUsd(c.before) },
      after: { id: userId, name: c.name, balance: microsToUsd(c.after), topup: amount },
    }));
    await this.notifyCredited(userId);
    return { balance: microsToUsd(credited.after) };
  }

  /** Every gateway drops its cached view of the user's keys and re-reads the balance for its quota counters. */
  async notifyCredited(userId: number): Promise<void> {
    const keyHashes = await this.balances.keyHashesOf(userId);
    this.bus.emit(Subjects.AuthChanged, { keyHashes, all: false, quotaReset: { tokenIds: [], userIds: [userId] } });
  }
}
