import { Logger } from '@nestjs/common';
import { CreateRedemptions, RedemptionListQuery } from '@switchboard/contracts';
import type { AuditEntry, Redemption } from '@switchboard/db';
import type { BalanceService } from '../ledger/balance.service';
import { hashRedemptionCode } from './redemption-code';
import type { RedemptionStatus, Redemptions } from './redemption.repository';
import { RedemptionService } from './redemption.service';

/** Codes in memory, by digest; `balances` are the users a redemption can credit (absent: cannot be credited). */
class InMemoryRedemptions implements Redemptions {
  readonly rows: Redemption[] = [];
  readonly audits: AuditEntry[] = [];
  readonly balances = new Map<number, bigint>();
  now = new Date('2030-01-01T00:00:00Z');

  createAudited(digests: string[], valueMicros: bigint, expiresAt: Date | null, audit: (r: Redemption) => AuditEntry): Promise<Redemption[]> {
    const created = digests.map((code) => ({ id: this.rows.length + 1, code, valueMicros, expiresAt, usedAt: null, usedByUserId: null, createdAt: this.now }));
    for (const r of created) {
      this.rows.push(r);
      this.audits.push(audit(r));
    }
    return Promise.resolve(created);
  }

  page(status: RedemptionStatus | undefined, now: Date, limit: number, offset: number): Promise<{ rows: Redemption[]; total: number }> {
    const all = this.rows.filter((r) => status === undefined || (r.usedAt ? 'used' : r.expiresAt && r.expiresAt <= now ? 'expired' : 'unused') === status);
    return Promise.resolve({ rows: all.reverse().slice(offset, offset + limit), total: all.length });
  }

  redeem(digest: string, userId: number): Promise<{ id: number; balanceAfterMicros: bigint } | null> {
    const r = this.rows.find((x) => x.code === digest && !x.usedAt && (!x.expiresAt || x.expiresAt > this.now));
    if (!r) return Promise.resolve(null);
    const balance = this.balances.get(userId);
    if (balance === undefined) return Promise.reject(new Error('cannot credit'));
    Object.assign(r, { usedAt: this.now, usedByUserId: userId });
    this.balances.set(userId, balance + r.valueMicros);
    return Promise.resolve({ id: r.id, balanceAfterMicros: balance + r.valueMicros });
  }

  findByDigest(digest: string): Promise<Redemption | null> {
    return Promise.resolve(this.rows.find((r) => r.code === digest) ?? null);
  }
}

describe('RedemptionService', () => {
  let store: InMemoryRedemptions;
  let notified: number[];
  let service: RedemptionService;

  beforeAll(() => Logger.overrideLogger(['fatal']));
  beforeEach(() => {
    store = new InMemoryRedemptions();
    notified = [];
    service = new RedemptionService(store, { notifyCredited: (u: number) => Promise.resolve(void notified.push(u)) } as unknown as BalanceService);
  });

  const create = (body: unknown) => service.create(CreateRedemptions.parse(body), 'admin');

  it('creates distinct codes, stores only their digests and audits each with the code masked', async () => {
    const { data } = await create({ value: 2.5, count: 3 });
    expect(data).toHaveLength(3);
    expect(new Set(data.map((d) => d.code)).size).toBe(3);
    expect(store.rows.map((r) => r.code)).toEqual(data.map((d) => hashRedemptionCode(d.code)));
    expect(store.audits).toHaveLength(3);
    const after = store.audits[0].after as { code: string; value: number };
    expect(after.code).toMatch(/^rc-.{4}….{4}$/);
    expect(after.value).toBe(2.5);
    expect(JSON.stringify(store.audits)).not.toContain(data[0].code);
  });

  it('refuses an expiry in the past before storing anything', async () => {
    await expect(service.create(CreateRedemptions.parse({ value: 1, expiresAt: '2000-01-01T00:00:00Z' }), 'admin')).rejects.toMatchObject({ status: 400 });
    expect(store.rows).toEqual([]);
  });

  it('credits a code once, tells the gateways, and says why a second claim fails', async () => {
    store.balances.set(5, 1_000_000n);
    const [{ code }] = (await create({ value: 2 })).data;
    expect(await service.redeem({ code: ` ${code} `, userId: 5, tokenId: null })).toEqual({ balance: 3 });
    expect(notified).toEqual([5]);
    await expect(service.redeem({ code, userId: 5, tokenId: null })).rejects.toMatchObject({
      status: 400,
      message: 'code: this redemption code has already been used',
    });
    await expect(service.redeem({ code: 'rc-nope', userId: 5, tokenId: null })).rejects.toMatchObject({ message: 'code: unknown redemption code' });
    expect(notified).toEqual([5]);
  });

  it('says an expired code has expired', async () => {
    const [{ code }] = (await create({ value: 1, expiresAt: '2031-01-01T00:00:00Z' })).data;
    store.now = new Date('2032-01-01T00:00:00Z');
    await expect(service.redeem({ code, userId: 5, tokenId: null })).rejects.toMatchObject({ message: 'code: this redemption code has expired' });
  });

  it('lists by status with the total', async () => {
    store.balances.set(5, 0n);
    const { data } = await create({ value: 1, count: 2 });
    await service.redeem({ code: data[0].code, userId: 5, tokenId: null });
    expect(await service.list(RedemptionListQuery.parse({ status: 'used' }))).toMatchObject({ total: 1, data: [{ id: data[0].id, status: 'used' }] });
  });
});
