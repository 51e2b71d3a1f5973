import { Budgets } from '../budgets/budget';
import { hashApiKey, keyPrefix } from '@switchboard/common';
import {
  AuthListQuery,
  CreateGroup,
  CreateToken,
  CreateUser,
  DomainError,
  TokenListQuery,
  UpdateGroup,
  UpdateToken,
  UpdateUser,
  UserListQuery,
} from '@switchboard/contracts';
import { ADMIN_USER_NAME, Prisma, type AuditEntry, type Group, type Token, type User } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import type { TokenExpiryService } from '../keys/token-expiry.service';
import { AuthAdminService } from './auth-admin.service';
import type { Groups } from './group.repository';
import type { Tokens } from './token.repository';
import type { Users } from './user.repository';
import { PasswordHasher } from '../accounts/password.hasher';

const T0 = new Date('2026-01-01T00:00:00Z');
/** Prisma's "undefined leaves the column alone". */
const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Users, tokens and groups in memory, with the audit records each write committed, in order. */
class World {
  users: User[] = [];
  tokens: Token[] = [];
  groups: Group[] = [
    {
      name: 'default',
      priceRatio: new Prisma.Decimal(1),
      rpm: null,
      tpm: null,
      maxConcurrency: null,
      budget: null,
      logBodies: false,
      orgId: null,
      createdAt: T0,
      updatedAt: T0,
    },
  ];
  audits: AuditEntry[] = [];
  private seq = 0;

  user(over: Partial<User> = {}): User {
    const u: User = {
      id: ++this.seq,
      name: `u${this.seq}`,
      group: 'default',
      balanceMicros: null,
      adjustmentsMicros: 0n,
      status: 'active',
      rpm: null,
      tpm: null,
      maxConcurrency: null,
      budget: null,
      builtin: false,
      role: 'user',
      passwordHash: null,
      totpSecret: null,
      totpEnabled: false,
      totpLastStep: null,
      backupCodes: [],
      maxTokens: null,
      sessionEpoch: 0,
      orgId: null,
      createdAt: T0,
      updatedAt: T0,
      ...over,
    };
    this.users.push(u);
    return u;
  }

  token(over: Partial<Token> & { userId: number }): Token {
    const t: Token = {
      id: ++this.seq,
      name: 'default',
      keyHash: `hash-${this.seq}`,
      keyPrefix: 'sk-x',
      group: null,
      expiresAt: null,
      quotaMicros: null,
      usedQuotaMicros: 0n,
      models: [],
      allowIps: [],
      rpm: null,
      tpm: null,
      maxConcurrency: null,
      crossGroupRetry: false,
      budget: null,
      logBodies: false,
      status: 'active',
      createdAt: T0,
      updatedAt: T0,
      ...over,
    };
    this.tokens.push(t);
    return t;
  }

  readonly userRepo: Users = {
    page: (f, limit, offset) => {
      const all = this.users.filter(
        (u) =>
          (f.orgId === undefined || u.orgId === f.orgId) &&
          (!f.group || u.group === f.group) &&
          (!f.status || u.status === f.status) &&
          (!f.search || u.name.toLowerCase().includes(f.search.toLowerCase()) || String(u.id) === f.search),
      );
      const rows = all.slice(offset, offset + limit).map((u) => ({ ...u, tokenCount: this.tokens.filter((t) => t.userId === u.id).length }));
      return Promise.resolve({ rows, total: all.length });
    },
    byId: (id) => Promise.resolve(this.users.find((u) => u.id === id) ?? null),
    byName: (name) => Promise.resolve(this.users.find((u) => u.name === name) ?? null),
    activeRootCount: () => Promise.resolve(this.users.filter((u) => u.role === 'root' && u.status === 'active').length),
    create: (data, audit) => {
      const u = this.user(defined(data) as Partial<User>);
      this.audits.push(audit(u));
      return Promise.resolve(u);
    },
    update: (id, data, audit) => {
      const i = this.users.findIndex((u) => u.id === id);
      this.users[i] = { ...this.users[i], ...(defined(data) as Partial<User>) };
      this.audits.push(audit(this.users[i]));
      return Promise.resolve(this.users[i]);
    },
    delete: (id, audits) => {
      this.users = this.users.filter((u) => u.id !== id);
      this.tokens = this.tokens.filter((t) => t.userId !== id);
      this.audits.push(...audits);
      return Promise.resolve();
    },
  };

  readonly tokenRepo: Tokens = {
    page: (f, limit, offset) => {
      const all = this.tokens.filter(
        (t) =>
          (f.userId === undefined || t.userId === f.userId) &&
          (f.orgId === undefined || this.users.find((u) => u.id === t.userId)?.orgId === f.orgId) &&
          (f.status === undefined || t.status === f.status) &&
          (!f.search || t.name.toLowerCase().includes(f.search.toLowerCase()) || t.keyPrefix.startsWith(f.search)),
      );
      return Promise.resolve({ rows: all.slice(offset, offset + limit), total: all.length });
    },
    byId: (id) => Promise.resolve(this.tokens.find((t) => t.id === id) ?? null),
    ofUser: (userId) => Promise.resolve(this.tokens.filter((t) => t.userId === userId)),
    keyHashesOfUser: (userId) => Promise.resolve(this.tokens.filter((t) => t.userId === userId).map((t) => t.keyHash)),
    create: (data, audit) => {
      const t = this.token(defined(data) as Partial<Token> & { userId: number });
      this.audits.push(audit(t));
      return Promise.resolve(t);
    },
    update: (id, change, audit) => {
      const i = this.tokens.findIndex((t) => t.id === id);
      if (i < 0) return Promise.resolve(null);
      const current = this.tokens[i];
      this.tokens[i] = { ...current, ...(defined(change(current)) as Partial<Token>) };
      this.audits.push(audit(current, this.tokens[i]));
      return Promise.resolve(this.tokens[i]);
    },
    delete: (id, audit) => {
      this.tokens = this.tokens.filter((t) => t.id !== id);
      this.audits.push(audit);
      return Promise.resolve();
    },
  };

  readonly groupRepo: Groups = {
    page: (limit, offset, orgId) => {
      const effective = (t: Token) => t.group ?? this.users.find((u) => u.id === t.userId)?.group;
      const groups = this.groups.filter((g) => orgId === undefined || g.orgId === orgId);
      const rows = groups.slice(offset, offset + limit).map((g) => ({
        ...g,
        userCount: this.users.filter((u) => u.group === g.name).length,
        tokenCount: this.tokens.filter((t) => effective(t) === g.name).length,
      }));
      return Promise.resolve({ rows, total: groups.length });
    },
    holdsOtherOrgs: (name, orgId) =>
      Promise.resolve(this.users.some((u) => u.orgId !== orgId && (u.group === name || this.tokens.some((t) => t.userId === u.id && t.group === name)))),
    byName: (name) => Promise.resolve(this.groups.find((g) => g.name === name) ?? null),
    create: (data, audit) => {
      const g = { rpm: null, tpm: null, maxConcurrency: null, createdAt: T0, updatedAt: T0, ...defined(data) } as Group;
      this.groups.push(g);
      this.audits.push(audit(g));
      return Promise.resolve(g);
    },
    update: (name, data, audit) => {
      const i = this.groups.findIndex((g) => g.name === name);
      this.groups[i] = { ...this.groups[i], ...(defined(data) as Partial<Group>) };
      this.audits.push(audit(this.groups[i]));
      return Promise.resolve(this.groups[i]);
    },
  };
}

describe('AuthAdminService', () => {
  let w: World;
  let events: unknown[];
  let expired: number;
  let s: AuthAdminService;
  const q = (over: object = {}) => AuthListQuery.parse(over);
  const rejection = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
    throw new Error('expected a DomainError');
  };

  beforeEach(() => {
    w = new World();
    events = [];
    expired = 0;
    const bus = { emit: (_: string, p: unknown) => void events.push(p) } as unknown as Bus;
    const expiry = { expireDue: () => Promise.resolve(void expired++) } as unknown as TokenExpiryService;
    s = new AuthAdminService(
      w.userRepo,
      w.tokenRepo,
      w.groupRepo,
      bus,
      expiry,
      new Budgets({ spentMicros: () => Promise.resolve(0) }, { BUDGET_CLOCK_OFFSET_MS: 0 }),
      new PasswordHasher(),
    );
  });

  it('roles: an admin cannot touch admins or roots; the last active root cannot be demoted, disabled or deleted', async () => {
    const root = w.user({ name: 'rita', role: 'root' });
    const adam = w.user({ name: 'adam', role: 'admin' });
    const fails = (p: Promise<unknown>) =>
      p.then(
        () => 0,
        (e: DomainError) => e.status,
      );
    expect(await fails(s.updateUser(String(adam.id), { rpm: 1 }, 'adam2', 'admin'))).toBe(403);
    expect(await fails(s.updateUser(String(root.id), { role: 'admin' }, 'rita', 'root'))).toBe(400);
    expect(await fails(s.updateUser(String(root.id), { status: 'disabled' }, 'rita', 'root'))).toBe(400);
    expect(await fails(s.deleteUser(String(root.id), 'rita', 'root'))).toBe(400);
    expect(await fails(s.updateUser(String(root.id), { rpm: 5 }, 'rita', 'root'))).toBe(0);
    await s.updateUser(String(adam.id), { role: 'root' }, 'rita', 'root');
    expect(await fails(s.updateUser(String(root.id), { role: 'admin' }, 'rita', 'root'))).toBe(0);
  });

  it('deleting a user audits each of its tokens, then the user, and drops the cached verification of their keys', async () => {
    const u = w.user({ name: 'leaver' });
    const t1 = w.token({ userId: u.id, keyHash: 'k1' });
    const t2 = w.token({ userId: u.id, keyHash: 'k2' });
    w.token({ userId: w.user().id, keyHash: 'other' });
    expect(await s.deleteUser(String(u.id), 'root')).toEqual({ deleted: true, tokensDeleted: 2 });
    expect(w.audits.map((a) => [a.action, a.entity, a.entityId, a.actor])).toEqual([
      ['delete', 'token', t1.id, 'root'],
      ['delete', 'token', t2.id, 'root'],
      ['delete', 'user', u.id, 'root'],
    ]);
    expect(w.audits[2].before).toMatchObject({ name: 'leaver' });
    expect(events).toEqual([{ keyHashes: ['k1', 'k2'], all: false }]);
  });

  it('refuses to delete the built-in admin, and answers 404 for an unknown or malformed id', async () => {
    const admin = w.user({ name: ADMIN_USER_NAME, builtin: true });
    expect(await rejection(s.deleteUser(String(admin.id), 'root'))).toMatchObject({ status: 400, details: { field: 'id' } });
    expect(await rejection(s.getUser('999'))).toMatchObject({ status: 404 });
    expect(await rejection(s.getUser('abc'))).toMatchObject({ status: 404 });
    expect(w.users).toHaveLength(1);
    expect(w.audits).toEqual([]);
  });

  it('creates a user in the default group with an audit record; a taken name or a missing group is a 400 before any write', async () => {
    const created = await s.createUser(CreateUser.parse({ name: 'ann', balance: 2 }), 'root');
    expect(created).toMatchObject({ name: 'ann', group: 'default', balance: 2, status: 'active' });
    expect(w.audits).toEqual([{ actor: 'root', action: 'create', entity: 'user', entityId: created.id, after: created }]);
    expect((await rejection(s.createUser(CreateUser.parse({ name: 'ann' }), 'root'))).message).toMatch(/^name: user "ann" already exists/);
    expect(await rejection(s.createUser(CreateUser.parse({ name: 'bob', group: 'nope' }), 'root'))).toMatchObject({
      status: 400,
      details: { field: 'group' },
    });
    expect(w.users).toHaveLength(1);
    expect(w.audits).toHaveLength(1);
  });

  it('a create racing past the pre-check gets the same 400 from the unique index', async () => {
    w.userRepo.create = () => Promise.reject(new Prisma.PrismaClientKnownRequestError('unique', { code: 'P2002', clientVersion: 'x' }));
    expect(await rejection(s.createUser(CreateUser.parse({ name: 'racer' }), 'root'))).toMatchObject({ status: 400, details: { field: 'name' } });
  });

  it("updating a user announces its tokens' keys, with a quota reset only when the balance changed", async () => {
    const u = w.user();
    w.token({ userId: u.id, keyHash: 'k1' });
    await s.updateUser(String(u.id), UpdateUser.parse({ rpm: 5 }), 'root');
    await s.updateUser(String(u.id), UpdateUser.parse({ balance: 3 }), 'root');
    expect(events).toEqual([
      { keyHashes: ['k1'], all: false, quotaReset: undefined },
      { keyHashes: ['k1'], all: false, quotaReset: { tokenIds: [], userIds: [u.id] } },
    ]);
    expect(w.audits.map((a) => [a.action, (a.before as { rpm: number }).rpm, (a.after as { balance: number }).balance])).toEqual([
      ['update', null, null],
      ['update', 5, 3],
    ]);
  });

  it('shows a new key once: the answer carries it, the row only its hash and prefix, the audit only the prefix', async () => {
    const admin = w.user({ name: ADMIN_USER_NAME, builtin: true });
    const created = await s.createToken(CreateToken.parse({ name: 'ci' }), 'root');
    expect(created.key).toMatch(/^sk-/);
    const row = w.tokens[0];
    expect(row).toMatchObject({ userId: admin.id, keyHash: hashApiKey(created.key), status: 'active' });
    expect(row.keyPrefix).toBe(keyPrefix(created.key));
    expect((await s.getToken(String(row.id))).key).toBe(row.keyPrefix);
    expect(JSON.stringify(w.audits)).not.toContain(created.key);
    expect(w.audits).toEqual([expect.objectContaining({ action: 'create', entity: 'token', entityId: row.id })]);
    expect(events).toEqual([{ keyHashes: [row.keyHash], all: false }]);
  });

  it('a token created already past its expiry is expired; an unknown user or group is a 400', async () => {
    const u = w.user();
    const t = await s.createToken(CreateToken.parse({ userId: u.id, expiresAt: '2000-01-01T00:00:00Z' }), 'root');
    expect(t.status).toBe('expired');
    expect(await rejection(s.createToken(CreateToken.parse({ userId: 999 }), 'root'))).toMatchObject({ status: 400, details: { field: 'userId' } });
    expect(await rejection(s.createToken(CreateToken.parse({ userId: u.id, group: 'nope' }), 'root'))).toMatchObject({ details: { field: 'group' } });
    expect(w.tokens).toHaveLength(1);
  });

  it("an update's status follows the locked row: raising the quota re-activates, `active` past the quota stays exhausted", async () => {
    const u = w.user();
    const t = w.token({ userId: u.id, quotaMicros: 1_000_000n, usedQuotaMicros: 1_000_000n, status: 'exhausted', keyHash: 'kq' });
    expect((await s.updateToken(String(t.id), UpdateToken.parse({ status: 'active' }), 'root')).status).toBe('exhausted');
    expect((await s.updateToken(String(t.id), UpdateToken.parse({ quota: 2 }), 'root')).status).toBe('active');
    expect((await s.updateToken(String(t.id), UpdateToken.parse({ status: 'disabled' }), 'root')).status).toBe('disabled');
    expect(events).toEqual([
      { keyHashes: ['kq'], all: false, quotaReset: undefined },
      { keyHashes: ['kq'], all: false, quotaReset: { tokenIds: [t.id], userIds: [] } },
      { keyHashes: ['kq'], all: false, quotaReset: undefined },
    ]);
    expect(w.audits.map((a) => [(a.before as { status: string }).status, (a.after as { status: string }).status])).toEqual([
      ['exhausted', 'exhausted'],
      ['exhausted', 'active'],
      ['active', 'disabled'],
    ]);
  });

  it('a token deleted while its update waited is a 404', async () => {
    const t = w.token({ userId: w.user().id });
    w.tokenRepo.update = () => Promise.resolve(null);
    expect(await rejection(s.updateToken(String(t.id), UpdateToken.parse({ name: 'x' }), 'root'))).toMatchObject({ status: 404 });
    expect(events).toEqual([]);
  });

  it('deletes a token with its audit record and announces its key', async () => {
    const t = w.token({ userId: w.user().id, keyHash: 'kd' });
    await s.deleteToken(String(t.id), 'root');
    expect(w.tokens).toEqual([]);
    expect(w.audits).toEqual([expect.objectContaining({ action: 'delete', entity: 'token', entityId: t.id })]);
    expect(events).toEqual([{ keyHashes: ['kd'], all: false }]);
  });

  it('lists expire due tokens first and filter by user', async () => {
    const a = w.user();
    w.token({ userId: a.id });
    w.token({ userId: w.user().id });
    expect(await s.listTokens(q({ userId: a.id }))).toMatchObject({ total: 1, data: [{ userId: a.id }] });
    expect(expired).toBe(1);
    expect((await s.listUsers(UserListQuery.parse({ limit: 1 }))).total).toBe(2);
  });

  it('lists users with their token counts, searched by name or id and filtered by group and status', async () => {
    w.groups.push({ ...w.groups[0], name: 'vip' });
    const ann = w.user({ name: 'Annabel', group: 'vip' });
    const bob = w.user({ name: 'bob', status: 'disabled' });
    w.token({ userId: ann.id });
    w.token({ userId: ann.id });
    const list = (over: object) => s.listUsers(UserListQuery.parse(over));
    expect(await list({})).toMatchObject({
      total: 2,
      data: [
        { name: 'Annabel', tokenCount: 2, balance: null },
        { name: 'bob', tokenCount: 0 },
      ],
    });
    expect(await list({ search: ' anna ' })).toMatchObject({ total: 1, data: [{ id: ann.id }] });
    expect(await list({ search: String(bob.id) })).toMatchObject({ total: 1, data: [{ id: bob.id }] });
    expect(await list({ group: 'vip' })).toMatchObject({ total: 1, data: [{ id: ann.id }] });
    expect(await list({ status: 'disabled' })).toMatchObject({ total: 1, data: [{ id: bob.id }] });
    // An empty search box is no filter.
    expect((await list({ search: '', group: '' })).total).toBe(2);
    expect(() => UserListQuery.parse({ status: 'gone' })).toThrow();
  });

  it("lists groups with their users and the tokens they govern (a token's own group, else its user's)", async () => {
    w.groups.push({ ...w.groups[0], name: 'vip' });
    const a = w.user({ group: 'vip' });
    const b = w.user();
    w.token({ userId: a.id });
    w.token({ userId: b.id, group: 'vip' });
    w.token({ userId: b.id });
    expect((await s.listGroups(q())).data.map((g) => [g.name, g.userCount, g.tokenCount])).toEqual([
      ['default', 1, 1],
      ['vip', 1, 2],
    ]);
  });

  it('lists tokens by status and by a part of the name or the key start', async () => {
    const u = w.user();
    w.token({ userId: u.id, name: 'Billing-App', keyPrefix: 'sk-aaaa…1111' });
    w.token({ userId: u.id, name: 'crawler', keyPrefix: 'sk-bbbb…2222', status: 'disabled' });
    const tq = (over: object) => TokenListQuery.parse(over);
    expect((await s.listTokens(tq({ search: 'billing' }))).data.map((t) => t.name)).toEqual(['Billing-App']);
    expect((await s.listTokens(tq({ search: 'sk-bbbb' }))).data.map((t) => t.name)).toEqual(['crawler']);
    expect((await s.listTokens(tq({ status: 'disabled' }))).data.map((t) => t.name)).toEqual(['crawler']);
    expect((await s.listTokens(tq({ search: '  ' }))).total).toBe(2);
    expect(() => tq({ status: 'gone' })).toThrow();
  });

  it('groups: defaults on create, no event for a new group, every cached key dropped on update', async () => {
    const g = await s.createGroup(CreateGroup.parse({ name: 'vip' }), 'root');
    expect(g).toMatchObject({ name: 'vip', priceRatio: 1, rpm: null });
    expect(events).toEqual([]);
    expect((await rejection(s.createGroup(CreateGroup.parse({ name: 'vip' }), 'root'))).message).toMatch(/^name: group "vip" already exists/);
    expect(await s.updateGroup('vip', UpdateGroup.parse({ priceRatio: 0.5 }), 'root')).toMatchObject({ priceRatio: 0.5 });
    expect(events).toEqual([{ keyHashes: [], all: true }]);
    expect(w.audits.map((a) => [a.action, a.entity, a.entityId])).toEqual([
      ['create', 'group', 'vip'],
      ['update', 'group', 'vip'],
    ]);
    expect(await rejection(s.getGroup('none'))).toMatchObject({ status: 404 });
    expect((await s.listGroups(q())).total).toBe(2);
  });

  describe('organisations: an org admin (actorOrgId) is confined to its org', () => {
    it("lists, reads, changes and deletes only its own users; another org's user is a 404", async () => {
      const a = w.user({ name: 'a-user', orgId: 1 });
      const b = w.user({ name: 'b-user', orgId: 2 });
      const listed = await s.listUsers(UserListQuery.parse({}), 1);
      expect(listed.data.map((u) => u.name)).toEqual(['a-user']);
      expect(listed.total).toBe(1);
      expect((await s.getUser(String(a.id), 1)).name).toBe('a-user');
      for (const attempt of [
        s.getUser(String(b.id), 1),
        s.updateUser(String(b.id), UpdateUser.parse({ status: 'disabled' }), 'a-admin', 'admin', 1),
        s.deleteUser(String(b.id), 'a-admin', 'admin', 1),
      ]) {
        expect(await rejection(attempt)).toMatchObject({ status: 404 });
      }
      expect(w.users.find((u) => u.id === b.id)?.status).toBe('active');
      // the platform sees both
      expect((await s.listUsers(UserListQuery.parse({}), null)).data.map((u) => u.name)).toEqual(expect.arrayContaining(['a-user', 'b-user']));
    });

    it('creates users in its own org whatever the body says, and may not move one out', async () => {
      const made = await s.createUser(CreateUser.parse({ name: 'new-a', orgId: 2 }), 'a-admin', 'admin', 1);
      expect(made.orgId).toBe(1);
      expect((await s.createUser(CreateUser.parse({ name: 'new-b', orgId: 2 }), 'root', 'root', null)).orgId).toBe(2);
      expect(await rejection(s.updateUser(String(made.id), UpdateUser.parse({ orgId: 2 }), 'a-admin', 'admin', 1))).toMatchObject({ status: 403 });
    });

    it("sees only tokens of its org's users, and makes tokens only for them", async () => {
      const a = w.user({ name: 'a-user', orgId: 1 });
      const b = w.user({ name: 'b-user', orgId: 2 });
      const ta = w.token({ userId: a.id, name: 'ta' });
      const tb = w.token({ userId: b.id, name: 'tb' });
      expect((await s.listTokens(TokenListQuery.parse({}), 1)).data.map((t) => t.name)).toEqual(['ta']);
      expect((await s.getToken(String(ta.id), 1)).name).toBe('ta');
      for (const attempt of [
        s.getToken(String(tb.id), 1),
        s.updateToken(String(tb.id), UpdateToken.parse({ name: 'x' }), 'a-admin', 1),
        s.deleteToken(String(tb.id), 'a-admin', 1),
      ]) {
        expect(await rejection(attempt)).toMatchObject({ status: 404 });
      }
      expect(await rejection(s.createToken(CreateToken.parse({ name: 'k', userId: b.id }), 'a-admin', 1))).toMatchObject({ status: 400 });
      expect(await rejection(s.createToken(CreateToken.parse({ name: 'k' }), 'a-admin', 1))).toMatchObject({ status: 400 });
      expect((await s.createToken(CreateToken.parse({ name: 'k', userId: a.id }), 'a-admin', 1)).userId).toBe(a.id);
    });

    it("lists, reads and updates only its org's groups; ratio and owner are the platform's (403 naming the field)", async () => {
      await s.createGroup(CreateGroup.parse({ name: 'a-team', orgId: 1 }), 'root');
      await s.createGroup(CreateGroup.parse({ name: 'b-team', orgId: 2 }), 'root');
      await s.createGroup(CreateGroup.parse({ name: 'vip' }), 'root');
      const listed = await s.listGroups(q(), 1);
      expect([listed.data.map((g) => g.name), listed.total]).toEqual([['a-team'], 1]);
      expect((await s.listGroups(q(), null)).total).toBe(4);
      expect((await s.getGroup('a-team', 1)).orgId).toBe(1);
      for (const attempt of [
        s.getGroup('b-team', 1),
        s.getGroup('vip', 1),
        s.getGroup('default', 1),
        s.updateGroup('b-team', UpdateGroup.parse({ rpm: 1 }), 'a-admin', 1),
      ]) {
        expect(await rejection(attempt)).toMatchObject({ status: 404 });
      }
      expect(await s.updateGroup('a-team', UpdateGroup.parse({ rpm: 5, logBodies: true }), 'a-admin', 1)).toMatchObject({ rpm: 5, logBodies: true });
      for (const [body, field] of [
        [{ priceRatio: 0.1 }, 'priceRatio'],
        [{ orgId: 2 }, 'orgId'],
        [{ orgId: null, rpm: 1 }, 'orgId'],
      ] as const) {
        const e = await rejection(s.updateGroup('a-team', UpdateGroup.parse(body), 'a-admin', 1));
        expect([e.status, e.message]).toEqual([403, expect.stringMatching(new RegExp(`^${field}: `))]);
      }
      expect((await s.getGroup('a-team', null)).priceRatio).toBe(1);
      // a root may hand it over, unless someone of another org is in it
      const u = w.user({ name: 'a-user', orgId: 1, group: 'a-team' });
      expect(await rejection(s.updateGroup('a-team', UpdateGroup.parse({ orgId: 2 }), 'root', null))).toMatchObject({ status: 400 });
      await s.updateUser(String(u.id), UpdateUser.parse({ group: 'default' }), 'root', 'root', null);
      expect((await s.updateGroup('a-team', UpdateGroup.parse({ orgId: 2 }), 'root', null)).orgId).toBe(2);
    });

    it("puts users and tokens only in its org's groups or default; a root keeps an org's group to that org's users", async () => {
      await s.createGroup(CreateGroup.parse({ name: 'a-team', orgId: 1 }), 'root');
      await s.createGroup(CreateGroup.parse({ name: 'b-team', orgId: 2 }), 'root');
      await s.createGroup(CreateGroup.parse({ name: 'vip' }), 'root');
      const a = w.user({ name: 'a-user', orgId: 1 });
      const t = w.token({ userId: a.id, name: 'ta' });
      for (const group of ['b-team', 'vip', 'missing']) {
        for (const attempt of [
          s.createUser(CreateUser.parse({ name: `x-${group}`, group }), 'a-admin', 'admin', 1),
          s.updateUser(String(a.id), UpdateUser.parse({ group }), 'a-admin', 'admin', 1),
          s.createToken(CreateToken.parse({ name: 'k', userId: a.id, group }), 'a-admin', 1),
          s.updateToken(String(t.id), UpdateToken.parse({ group }), 'a-admin', 1),
        ]) {
          const e = await rejection(attempt);
          expect([e.status, e.message]).toEqual([400, `group: "${group}" is not a group of your organisation (use one of its groups or "default")`]);
        }
      }
      expect((await s.updateUser(String(a.id), UpdateUser.parse({ group: 'a-team' }), 'a-admin', 'admin', 1)).group).toBe('a-team');
      expect((await s.updateToken(String(t.id), UpdateToken.parse({ group: 'default' }), 'a-admin', 1)).group).toBe('default');
      expect((await s.createUser(CreateUser.parse({ name: 'a2', group: 'a-team' }), 'a-admin', 'admin', 1)).group).toBe('a-team');
      // the platform: an org's group only for that org's users, a platform group for anyone
      const p = w.user({ name: 'p-user' });
      expect(await rejection(s.updateUser(String(p.id), UpdateUser.parse({ group: 'a-team' }), 'root', 'root', null))).toMatchObject({ status: 400 });
      expect(await rejection(s.createToken(CreateToken.parse({ name: 'k', userId: p.id, group: 'b-team' }), 'root', null))).toMatchObject({ status: 400 });
      expect(await rejection(s.updateUser(String(a.id), UpdateUser.parse({ orgId: 2 }), 'root', 'root', null))).toMatchObject({ status: 400 });
      expect((await s.updateUser(String(a.id), UpdateUser.parse({ group: 'vip' }), 'root', 'root', null)).group).toBe('vip');
    });
  });
});
