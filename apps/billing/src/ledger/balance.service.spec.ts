import type { AuditEntry } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import type { Balances, Credit, Credited } from './balance.repository';
import { BalanceService } from './balance.service';

/** Balances in memory: null is unlimited, which the repository refuses to credit. */
class InMemoryBalances implements Balances {
  readonly users = new Map<number, { name: string; balance: bigint | null; keyHashes: string[] }>();
  readonly credits: Credit[] = [];
  readonly audits: AuditEntry[] = [];

  creditAudited(credit: Credit, audit: (c: Credited) => AuditEntry): Promise<Credited> {
    const u = this.users.get(credit.userId);
    if (!u || u.balance === null) return Promise.reject(new Error('cannot credit'));
    this.credits.push(credit);
    const c = { before: u.balance, after: u.balance + credit.amountMicros, name: u.name };
    u.balance = c.after;
    this.audits.push(audit(c));
    return Promise.resolve(c);
  }

  keyHashesOf(userId: number): Promise<string[]> {
    return Promise.resolve(this.users.get(userId)?.keyHashes ?? []);
  }
}

describe('BalanceService.topUp', () => {
  let balances: InMemoryBalances;
  let emitted: { subject: string; payload: unknown }[];
  let service: BalanceService;

  beforeEach(() => {
    balances = new InMemoryBalances();
    balances.users.set(4, { name: 'ann', balance: 2_000_000n, keyHashes: ['k1', 'k2'] });
    emitted = [];
    service = new BalanceService(balances, { emit: (subject: string, payload: unknown) => void emitted.push({ subject, payload }) } as unknown as Bus);
  });

  it('credits the amount as a top-up, audits the balance before and after, and answers the new balance', async () => {
    expect(await service.topUp('4', { amount: 1.5 }, 'admin')).toEqual({ balance: 3.5 });
    expect(balances.credits).toEqual([{ userId: 4, tokenId: null, kind: 'topup', reference: null, amountMicros: 1_500_000n }]);
    expect(balances.audits).toEqual([
      {
        actor: 'admin',
        action: 'update',
        entity: 'user',
        entityId: 4,
        before: { id: 4, name: 'ann', balance: 2 },
        after: { id: 4, name: 'ann', balance: 3.5, topup: 1.5 },
      },
    ]);
  });

  it("tells the gateways to drop the user's keys and re-read its quota", async () => {
    await service.topUp('4', { amount: 1 }, 'admin');
    expect(emitted).toEqual([{ subject: 'auth.changed.v1', payload: { keyHashes: ['k1', 'k2'], all: false, quotaReset: { tokenIds: [], userIds: [4] } } }]);
  });

  it('refuses a non-numeric user, a non-positive amount and an amount below one micro-dollar before touching the database', async () => {
    await expect(service.topUp('x', { amount: 1 }, 'admin')).rejects.toMatchObject({ status: 404 });
    await expect(service.topUp('4', { amount: 0 }, 'admin')).rejects.toThrow();
    await expect(service.topUp('4', { amount: 0.0000001 }, 'admin')).rejects.toMatchObject({ status: 400 });
    expect(balances.credits).toEqual([]);
    expect(emitted).toEqual([]);
  });
});
