// The auth service's own guarantees on real Postgres, below the HTTP layer: concurrent duplicate names leave one
// row and one audit record (the unique index backs the pre-check), every change that can alter a verified key is
// announced on auth.changed.v1, expiry flips exactly once, and automatic statuses follow the row.
import { PasswordHasher } from '../../../apps/auth/src/accounts/password.hasher';
import os from 'node:os';
import { generateApiKey, hashApiKey } from '@switchboard/common';
import { DomainError, Subjects, type AdminRequest } from '@switchboard/contracts';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import { OrgAdminService } from '../../../apps/auth/src/orgs/org-admin.service';
import { OrgRepository } from '../../../apps/auth/src/orgs/org.repository';
import { authAdminDispatcher } from '../../../apps/auth/src/admin/auth-admin.handlers';
import { AuthAdminService } from '../../../apps/auth/src/admin/auth-admin.service';
import { GroupRepository } from '../../../apps/auth/src/admin/group.repository';
import { TokenRepository } from '../../../apps/auth/src/admin/token.repository';
import { UserRepository } from '../../../apps/auth/src/admin/user.repository';
import { Budgets } from '../../../apps/auth/src/budgets/budget';
import { BudgetSpendRepository } from '../../../apps/auth/src/budgets/budget-spend.repository';
import { KeyVerificationService } from '../../../apps/auth/src/keys/key-verification.service';
import { KeyRepository } from '../../../apps/auth/src/keys/key.repository';
import { TokenExpiryService } from '../../../apps/auth/src/keys/token-expiry.service';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

interface Emitted {
  subject: string;
  payload: { keyHashes: string[]; all: boolean; quotaReset?: { tokenIds: number[]; userIds: number[] } };
}

describePostgres('auth services on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let events: Emitted[];
  let admin: AuthAdminService;
  let keys: KeyVerificationService;
  let expiry: TokenExpiryService;

  const op = (resource: string, o: string, body?: unknown, id?: string): AdminRequest => ({
    resource,
    op: o,
    body,
    id,
    query: {},
    actor: 'int-test',
    actorRole: 'root',
  });
  // Through the rpc controller's path (route lookup, parsing, handler), as the gateway's request arrives.
  const run = async (resource: string, o: string, body?: unknown, id?: string) => ({
    body: await authAdminDispatcher(admin, new OrgAdminService(new OrgRepository(prisma))).dispatch(op(resource, o, body, id)),
  });
  const rejection = async (p: Promise<unknown>): Promise<DomainError> => {
    try {
      await p;
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
    throw new Error('expected a DomainError');
  };
  const auditCount = (entity: string, entityId?: string) => prisma.auditLog.count({ where: { entity, entityId } });

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    const bus = { emit: (subject: string, payload: Emitted['payload']) => events.push({ subject, payload }) } as unknown as Bus;
    expiry = new TokenExpiryService(new KeyRepository(prisma), bus);
    const budgets = new Budgets(new BudgetSpendRepository(prisma), { BUDGET_CLOCK_OFFSET_MS: 0 });
    admin = new AuthAdminService(
      new UserRepository(prisma),
      new TokenRepository(prisma),
      new GroupRepository(prisma),
      bus,
      expiry,
      budgets,
      new PasswordHasher(),
    );
    keys = new KeyVerificationService(new KeyRepository(prisma), bus, budgets);
  });

  beforeEach(() => {
    events = [];
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('ten concurrent creates of one user name: one row, one audit record, nine 400s naming the field', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => run('users', 'create', { name: 'racer', balance: null })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(DomainError);
      expect(r.reason).toMatchObject({ status: 400, details: { field: 'name' } });
      expect((r.reason as Error).message).toMatch(/^name: user "racer" already exists/);
    }
    expect(await prisma.user.count({ where: { name: 'racer' } })).toBe(1);
    expect(await prisma.auditLog.count({ where: { entity: 'user', action: 'create', after: { path: ['name'], equals: 'racer' } } })).toBe(1);
  });

  it('ten concurrent creates of one group name: one row, one audit record', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => run('groups', 'create', { name: 'racers', rpm: 5 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason.status === 400)).toBe(true);
    expect(await auditCount('group', 'racers')).toBe(1);
  });

  it('rejects bad input before touching the database', async () => {
    const before = await prisma.auditLog.count();
    const tokensBefore = await prisma.token.count();
    const e = await rejection(run('tokens', 'create', { allowIps: ['10.0.0.1', '10.0.0.0/99'], quota: 1 }));
    expect(e).toMatchObject({ status: 400, details: { field: 'allowIps.1' } });
    expect((await rejection(run('tokens', 'create', { nope: 1 }))).message).toBe('nope: unknown field');
    expect((await rejection(run('tokens', 'create', { usedQuota: 1 }))).message).toBe('usedQuota: is read-only');
    expect((await rejection(run('users', 'update', { balance: -1 }, '999999'))).message).toBe('balance: must not be negative');
    expect(await prisma.auditLog.count()).toBe(before);
    expect(await prisma.token.count()).toBe(tokensBefore);
  });

  it('every change that can alter a verified key is announced; creating a user or group is not', async () => {
    await run('groups', 'create', { name: 'announce' });
    const u = (await run('users', 'create', { name: 'announced', group: 'announce', balance: 1 })).body as { id: number };
    expect(events).toEqual([]);
    const t = (await run('tokens', 'create', { userId: u.id })).body as { id: number; key: string };
    const hash = hashApiKey(t.key);
    const steps: [string, () => Promise<unknown>, Partial<Emitted['payload']>][] = [
      ['token create', async () => undefined, { keyHashes: [hash] }],
      ['token update', () => run('tokens', 'update', { rpm: 5 }, String(t.id)), { keyHashes: [hash] }],
      ['token quota', () => run('tokens', 'update', { quota: 2 }, String(t.id)), { keyHashes: [hash], quotaReset: { tokenIds: [t.id], userIds: [] } }],
      ['user disable', () => run('users', 'update', { status: 'disabled' }, String(u.id)), { keyHashes: [hash] }],
      ['user balance', () => run('users', 'update', { balance: 3 }, String(u.id)), { keyHashes: [hash], quotaReset: { tokenIds: [], userIds: [u.id] } }],
      ['group update', () => run('groups', 'update', { tpm: 1000 }, 'announce'), { keyHashes: [], all: true }],
      ['token delete', () => run('tokens', 'delete', undefined, String(t.id)), { keyHashes: [hash] }],
    ];
    for (const [what, step, expected] of steps) {
      if (what !== 'token create') events = [];
      await step();
      expect({ what, events: events.map((e) => e.subject) }).toEqual({ what, events: [Subjects.AuthChanged] });
      expect(events[0].payload).toMatchObject(expected);
    }
    // Deleting a user announces (and audits) every key that goes with it.
    const t2 = (await run('tokens', 'create', { userId: u.id })).body as { id: number; key: string };
    const t3 = (await run('tokens', 'create', { userId: u.id })).body as { id: number; key: string };
    events = [];
    await run('users', 'delete', undefined, String(u.id));
    expect(events).toHaveLength(1);
    expect(new Set(events[0].payload.keyHashes)).toEqual(new Set([hashApiKey(t2.key), hashApiKey(t3.key)]));
    expect(await prisma.auditLog.count({ where: { entity: 'token', action: 'delete', entityId: { in: [String(t2.id), String(t3.id)] } } })).toBe(2);
  });

  it('verification: the token group, else the user group, brings the ratio and limits; users have no limits of their own', async () => {
    await run('groups', 'create', { name: 'gold', priceRatio: 2, rpm: 7, tpm: 70, maxConcurrency: 3 });
    const u = (await run('users', 'create', { name: 'golden', group: 'gold', balance: 4.5 })).body as { id: number };
    const own = (await run('tokens', 'create', { userId: u.id, rpm: 1, quota: 2 })).body as { key: string };
    const inDefault = (await run('tokens', 'create', { userId: u.id, group: 'default' })).body as { key: string };
    const v = (await keys.verify(hashApiKey(own.key))).token!;
    expect(v).toMatchObject({
      status: 'active',
      quotaMicros: 2_000_000,
      usedQuotaMicros: 0,
      limits: { rpm: 1, tpm: null, maxConcurrency: null },
      user: { id: u.id, status: 'active', balanceMicros: 4_500_000, limits: { rpm: null, tpm: null, maxConcurrency: null } },
      group: { name: 'gold', priceRatio: 2, limits: { rpm: 7, tpm: 70, maxConcurrency: 3 } },
    });
    expect((await keys.verify(hashApiKey(inDefault.key))).token!.group).toMatchObject({ name: 'default', priceRatio: 1 });
    expect((await keys.verify(hashApiKey(generateApiKey()))).token).toBeNull();
  });

  it("budgets: stored on users, tokens and groups; reads and verification carry the current period's spend from the ledger", async () => {
    await run('groups', 'create', { name: 'budgeted', budget: { amount: 100, period: 'month' } });
    const u = (await run('users', 'create', { name: 'spender', group: 'budgeted', budget: { amount: 5, period: 'week', softLimit: 4 } })).body as {
      id: number;
    };
    const t = (await run('tokens', 'create', { userId: u.id, budget: { amount: 1.5, period: 'day' } })).body as { id: number; key: string; budget: unknown };
    const other = (await run('tokens', 'create', { userId: u.id })).body as { id: number };
    expect((await rejection(run('users', 'update', { budget: { amount: 1, period: 'day', softLimit: 2 } }, String(u.id)))).message).toBe(
      'budget.softLimit: must not exceed the amount',
    );
    expect((await rejection(run('users', 'update', { budget: { amount: 1, period: 'year' } }, String(u.id)))).status).toBe(400);
    // Usage billed now (this period) and 40 days ago (a period before), as billing writes it.
    const old = new Date(Date.now() - 40 * 86_400_000);
    await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT set_config('switchboard.ledger_writer', 'billing', true)`;
      await tx.$executeRaw`INSERT INTO ledger_entries ("userId", "tokenId", "requestId", kind, "amountMicros", "createdAt") VALUES
        (${u.id}, ${t.id}, 'b-1', 'usage', -250000, now() AT TIME ZONE 'UTC'), (${u.id}, ${other.id}, 'b-2', 'usage', -500000, now() AT TIME ZONE 'UTC'),
        (${u.id}, ${t.id}, 'b-old', 'usage', -9000000, ${old}), (${u.id}, ${t.id}, 'b-topup', 'topup', 7000000, now() AT TIME ZONE 'UTC')`;
    });
    const token = (await run('tokens', 'get', undefined, String(t.id))).body as Record<string, any>;
    expect(token.budget).toMatchObject({ amount: 1.5, period: 'day', softLimit: null, spent: 0.25 });
    expect(Date.parse(token.budget.resetsAt) - Date.parse(token.budget.periodStart)).toBe(86_400_000);
    expect(((await run('users', 'get', undefined, String(u.id))).body as Record<string, any>).budget).toMatchObject({ amount: 5, softLimit: 4, spent: 0.75 });
    expect(((await run('groups', 'get', undefined, 'budgeted')).body as Record<string, any>).budget).toMatchObject({ amount: 100, spent: 0.75 });
    const v = (await keys.verify(hashApiKey(t.key))).token!;
    expect(v.budget).toMatchObject({ amountMicros: 1_500_000, period: 'day', softLimitMicros: null, spentMicros: 250_000 });
    expect(v.user.budget).toMatchObject({ amountMicros: 5_000_000, softLimitMicros: 4_000_000, spentMicros: 750_000 });
    expect(v.group.budget).toMatchObject({ amountMicros: 100_000_000, spentMicros: 750_000 });
    // Cleared with null; a change is announced so gateways verify the key again.
    events = [];
    expect(((await run('tokens', 'update', { budget: null }, String(t.id))).body as Record<string, any>).budget).toBeNull();
    expect(events.length).toBeGreaterThan(0);
    expect((await keys.verify(hashApiKey(t.key))).token!.budget).toBeNull();
  });

  it('expiry flips once even under concurrent verifications; the sweeper flips the rest; disabled stays disabled', async () => {
    const t = (await run('tokens', 'create', { expiresAt: new Date(Date.now() + 300).toISOString() })).body as { id: number; key: string; status: string };
    const d = (await run('tokens', 'create', { expiresAt: new Date(Date.now() + 300).toISOString(), status: 'disabled' })).body as { id: number; key: string };
    const s = (await run('tokens', 'create', { expiresAt: new Date(Date.now() + 300).toISOString() })).body as { id: number; key: string };
    expect(t.status).toBe('active');
    await new Promise((r) => setTimeout(r, 400));
    events = [];
    const answers = await Promise.all(Array.from({ length: 5 }, () => keys.verify(hashApiKey(t.key))));
    expect(answers.every((a) => a.token?.status === 'expired')).toBe(true);
    expect(events.filter((e) => e.payload.keyHashes.includes(hashApiKey(t.key)))).toHaveLength(1);
    events = [];
    const flipped = await expiry.expireDue();
    expect(flipped).toEqual([hashApiKey(s.key)]);
    expect(events).toEqual([{ subject: Subjects.AuthChanged, payload: { keyHashes: [hashApiKey(s.key)], all: false } }]);
    expect(await expiry.expireDue()).toEqual([]);
    expect((await prisma.token.findUnique({ where: { id: d.id } }))!.status).toBe('disabled');
  });

  it('automatic statuses follow the row: raising the quota re-activates, "active" on a spent key stays exhausted', async () => {
    const t = (await run('tokens', 'create', { quota: 1 })).body as { id: number };
    await prisma.token.update({ where: { id: t.id }, data: { usedQuotaMicros: 1_000_000n, status: 'exhausted' } });
    const still = await run('tokens', 'update', { status: 'active', name: 'spent' }, String(t.id));
    expect(still.body).toMatchObject({ status: 'exhausted', name: 'spent' });
    const raised = await run('tokens', 'update', { quota: 1.5 }, String(t.id));
    expect(raised.body).toMatchObject({ status: 'active', quota: 1.5, usedQuota: 1 });
    const disabled = await run('tokens', 'update', { status: 'disabled', quota: 0.5 }, String(t.id));
    expect(disabled.body).toMatchObject({ status: 'disabled' });
    const created = await run('tokens', 'create', { quota: 0 });
    expect(created.body).toMatchObject({ status: 'exhausted' });
  });
});
