// Accounts on real Postgres with a pinned clock: password sign-in, TOTP (no replay of a step, even concurrently),
// one-use backup codes, the root-only rule and a user's own tokens, through AccountService as auth.account.v1 runs it.
import { Budgets } from '../../../apps/auth/src/budgets/budget';
import { BudgetSpendRepository } from '../../../apps/auth/src/budgets/budget-spend.repository';
import os from 'node:os';
import type { AppConfig } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import { Secret, TOTP } from 'otpauth';
import { AccountRepository } from '../../../apps/auth/src/accounts/account.repository';
import { AccountService } from '../../../apps/auth/src/accounts/account.service';
import { PasswordHasher } from '../../../apps/auth/src/accounts/password.hasher';
import { AuthAdminService } from '../../../apps/auth/src/admin/auth-admin.service';
import { GroupRepository } from '../../../apps/auth/src/admin/group.repository';
import { TokenRepository } from '../../../apps/auth/src/admin/token.repository';
import { UserRepository } from '../../../apps/auth/src/admin/user.repository';
import { KeyRepository } from '../../../apps/auth/src/keys/key.repository';
import { TokenExpiryService } from '../../../apps/auth/src/keys/token-expiry.service';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

const T0 = Date.UTC(2026, 11, 6, 12, 0, 10);

describePostgres('accounts (auth.account.v1, real Postgres, fixed clock)', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let admin: AuthAdminService;
  let accounts: AccountService;
  let now = T0;
  const config = {
    SECRET_KEY: '1f'.repeat(32),
    REGISTRATION_ENABLED: false,
    USER_MAX_TOKENS: 1,
    ROOT_USERNAME: 'rita',
    ROOT_PASSWORD: 'root-password-1',
  } as AppConfig;
  const rejection = async (p: Promise<unknown>): Promise<DomainError> => {
    try {
      await p;
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
    throw new Error('expected a DomainError');
  };

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    const bus = { emit: () => undefined } as unknown as Bus;
    const users = new UserRepository(prisma);
    admin = new AuthAdminService(
      users,
      new TokenRepository(prisma),
      new GroupRepository(prisma),
      bus,
      new TokenExpiryService(new KeyRepository(prisma), bus),
      new Budgets(new BudgetSpendRepository(prisma), { BUDGET_CLOCK_OFFSET_MS: 0 }),
      new PasswordHasher(),
    );
    accounts = new AccountService(users, new AccountRepository(prisma), admin, new PasswordHasher(), config, () => now);
    await accounts.onApplicationBootstrap();
    await accounts.onApplicationBootstrap(); // idempotent
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('seeds the root once; existing users are `user`; the hash is argon2id and never in a view', async () => {
    const rows = await prisma.user.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((u) => [u.name, u.role])).toEqual([
      ['admin', 'user'],
      ['rita', 'root'],
    ]);
    expect(rows[1].passwordHash).toMatch(/^\$argon2id\$/);
    expect(await accounts.login('rita', 'root-password-1', undefined)).toEqual({ id: rows[1].id, name: 'rita', role: 'root', sessionEpoch: 0, orgId: null });
    const view = await admin.getUser(String(rows[1].id));
    expect(JSON.stringify(view)).not.toContain('argon2');
  });

  it('one 401 for a wrong password, an unknown name and a user without a password', async () => {
    const codes = await Promise.all([
      rejection(accounts.login('rita', 'wrong-password', undefined)),
      rejection(accounts.login('nobody', 'whatever', undefined)),
      rejection(accounts.login('admin', 'anything', undefined)),
    ]);
    expect(codes.map((e) => [e.status, e.code, e.message])).toEqual(Array(3).fill([401, 'invalid_credentials', 'Invalid username or password.']));
  });

  it('only root manages admins and roots', async () => {
    const byAdmin = await rejection(
      admin.createUser(
        {
          name: 'eve',
          group: 'default',
          balance: 0,
          status: 'active',
          rpm: null,
          tpm: null,
          maxConcurrency: null,
          budget: null,
          role: 'admin',
          maxTokens: null,
        },
        'adam (#9)',
        'admin',
      ),
    );
    expect([byAdmin.status, byAdmin.code]).toEqual([403, 'forbidden']);
    const adam = await admin.createUser(
      {
        name: 'adam',
        group: 'default',
        balance: 0,
        status: 'active',
        rpm: null,
        tpm: null,
        maxConcurrency: null,
        budget: null,
        role: 'admin',
        password: 'adam-password-1',
        maxTokens: null,
      },
      'rita (#2)',
      'root',
    );
    expect((await rejection(admin.updateUser(String(adam.id), { status: 'disabled' }, 'adam2 (#10)', 'admin'))).status).toBe(403);
    expect((await rejection(admin.deleteUser(String(adam.id), 'adam2 (#10)', 'admin'))).status).toBe(403);
    expect(await prisma.auditLog.count({ where: { actor: 'rita (#2)', entity: 'user', action: 'create' } })).toBe(1);
  });

  it('TOTP: enable with a code of the fixed clock; a step is used once (even by two sign-ins at once); backup codes once each', async () => {
    const u = await admin.createUser(
      {
        name: 'ursula',
        group: 'default',
        balance: 1,
        status: 'active',
        rpm: null,
        tpm: null,
        maxConcurrency: null,
        budget: null,
        role: 'user',
        password: 'ursula-password-1',
        maxTokens: null,
      },
      'rita (#2)',
      'root',
    );
    const { secret, uri } = await accounts.setupTotp(u.id);
    expect(uri).toContain('Switchboard:ursula');
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(stored.totpSecret).not.toContain(secret); // sealed with SECRET_KEY
    const app = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
    const { backupCodes } = await accounts.enableTotp(u.id, { code: app.generate({ timestamp: now }) });
    expect(backupCodes).toHaveLength(8);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: u.id } })).backupCodes).not.toContain(backupCodes[0]);

    expect((await rejection(accounts.login('ursula', 'ursula-password-1', undefined))).code).toBe('totp_required');
    // The step that enabled 2FA is spent.
    expect((await rejection(accounts.login('ursula', 'ursula-password-1', app.generate({ timestamp: now })))).code).toBe('invalid_totp');
    now += 30_000;
    const code = app.generate({ timestamp: now });
    const both = await Promise.allSettled([accounts.login('ursula', 'ursula-password-1', code), accounts.login('ursula', 'ursula-password-1', code)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    // A code from two steps ago is refused even though its step was never used.
    now += 60_000;
    expect((await rejection(accounts.login('ursula', 'ursula-password-1', app.generate({ timestamp: now - 90_000 })))).code).toBe('invalid_totp');

    const once = await Promise.allSettled([
      accounts.login('ursula', 'ursula-password-1', backupCodes[0]),
      accounts.login('ursula', 'ursula-password-1', backupCodes[0]),
    ]);
    expect(once.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await accounts.me(u.id)).twoFactor).toEqual({ enabled: true, backupCodesLeft: 7 });
    expect((await rejection(accounts.disableTotp(u.id, { code: backupCodes[0] }))).code).toBe('invalid_totp');
    await accounts.disableTotp(u.id, { code: backupCodes[1] });
    expect(await accounts.login('ursula', 'ursula-password-1', undefined)).toMatchObject({ name: 'ursula' });
    expect(await prisma.auditLog.count({ where: { actor: `ursula (#${u.id})`, entity: 'user' } })).toBe(3); // setup, enable, disable
  });

  it("a user's tokens: within its limit, never another's", async () => {
    const u = (await prisma.user.findUniqueOrThrow({ where: { name: 'ursula' } })).id;
    const v = (
      await admin.createUser(
        {
          name: 'victor',
          group: 'default',
          balance: 1,
          status: 'active',
          rpm: null,
          tpm: null,
          maxConcurrency: null,
          budget: null,
          role: 'user',
          maxTokens: 3,
        },
        'rita (#2)',
        'root',
      )
    ).id;
    const mine = await accounts.createToken(u, { name: 'k1' });
    expect(mine).toMatchObject({ userId: u, group: null, rpm: null, key: expect.stringMatching(/^sk-/) });
    expect((await rejection(accounts.createToken(u, { name: 'k2' }))).status).toBe(409); // USER_MAX_TOKENS = 1
    expect((await rejection(accounts.createToken(u, { name: 'k2', group: 'vip' }))).status).toBe(400);
    expect((await accounts.listTokens(v)).data).toEqual([]);
    expect((await rejection(accounts.deleteToken(v, String(mine.id)))).status).toBe(404);
    expect((await accounts.listTokens(u)).data.map((t) => t.id)).toEqual([mine.id]);
    expect((await accounts.me(v)).tokens).toEqual({ count: 0, max: 3 });
  });

  it('a first password (an account made without one) only after a fresh sign-in; each change raises the epoch', async () => {
    const v = await prisma.user.findUniqueOrThrow({ where: { name: 'victor' } });
    const change = (body: unknown, recentSignIn: boolean) => accounts.dispatch({ op: 'password.change', userId: v.id, body, recentSignIn });
    expect((await accounts.me(v.id)).hasPassword).toBe(false);
    const stale = await rejection(change({ newPassword: 'victor-password-1' }, false));
    expect([stale.status, stale.code]).toEqual([403, 'reauthentication_required']);
    expect(await change({ newPassword: 'victor-password-1' }, true)).toMatchObject({ id: v.id, sessionEpoch: v.sessionEpoch + 1 });
    expect((await accounts.me(v.id)).hasPassword).toBe(true);
    expect(await accounts.login('victor', 'victor-password-1', undefined)).toMatchObject({ name: 'victor' });
    // Now that it has one, a fresh sign-in no longer stands in for it.
    expect((await rejection(change({ newPassword: 'victor-password-2' }, true))).message).toBe('currentPassword: required');
    expect((await rejection(change({ currentPassword: 'victor-password-1', newPassword: 'x'.repeat(257) }, true))).message).toBe(
      'newPassword: must be at most 256 characters',
    );
    await accounts.dispatch({ op: 'sessions.revoke', userId: v.id });
    expect((await accounts.whoami(v.id))?.sessionEpoch).toBe(v.sessionEpoch + 2);
    const audit = await prisma.auditLog.findMany({ where: { actor: `victor (#${v.id})`, entity: 'user' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => (a.after as { change?: string }).change)).toEqual(['password set; other sessions ended', 'signed out everywhere']);
  });

  it('registration is refused while REGISTRATION_ENABLED is off', async () => {
    expect((await rejection(accounts.register('newbie', 'newbie-password'))).code).toBe('registration_disabled');
  });
});
