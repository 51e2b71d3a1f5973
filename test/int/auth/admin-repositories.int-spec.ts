import os from 'node:os';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { GroupRepository } from '../../../apps/auth/src/admin/group.repository';
import { TokenRepository } from '../../../apps/auth/src/admin/token.repository';
import { UserRepository } from '../../../apps/auth/src/admin/user.repository';
import { committingBetweenStatements } from '../db/between-statements';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/**
 * The admin API's users, tokens and groups on real Postgres: lists read page and total in one snapshot; a write and
 * its audit record commit together. The rules above them are driven in test/int/auth/auth-services.int-spec.ts.
 */
describePostgres('auth admin repositories on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let seq = 0;
  const user = () => prisma.user.create({ data: { name: `ar-user-${++seq}` } });
  const token = (userId: number) => {
    const n = ++seq;
    return prisma.token.create({ data: { name: `ar-${n}`, userId, keyHash: `ar-${n}`.padEnd(64, '0'), keyPrefix: 'sk-x' } });
  };

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  describe('each list reads its page and its total in one snapshot: a row committed between its statements is in neither', () => {
    it('users', async () => {
      await user();
      const page = await new UserRepository(committingBetweenStatements(prisma, user)).page({}, 500, 0);
      expect(page.total).toBe(page.rows.length);
      expect((await new UserRepository(prisma).page({}, 500, 0)).total).toBeGreaterThan(page.total); // the commits did happen
    });

    it('tokens, filtered by user', async () => {
      const owner = await user();
      const commit = () => token(owner.id);
      await commit();
      const page = await new TokenRepository(committingBetweenStatements(prisma, commit)).page({ userId: owner.id }, 500, 0);
      expect(page.total).toBe(page.rows.length);
      expect(page.rows.every((t) => t.userId === owner.id)).toBe(true);
      expect((await new TokenRepository(prisma).page({ userId: owner.id }, 500, 0)).total).toBeGreaterThan(page.total);
    });

    it('groups', async () => {
      const commit = () => prisma.group.create({ data: { name: `ar-group-${++seq}` } });
      await commit();
      const page = await new GroupRepository(committingBetweenStatements(prisma, commit)).page(500, 0);
      expect(page.total).toBe(page.rows.length);
      expect((await new GroupRepository(prisma).page(500, 0)).total).toBeGreaterThan(page.total);
    });
  });

  it("users: a search in the name (any case) or the id, group and status filters, and each user's token count", async () => {
    await prisma.group.create({ data: { name: 'ar-search' } });
    const ann = await prisma.user.create({ data: { name: 'AR-Searched-Ann', group: 'ar-search' } });
    const bob = await prisma.user.create({ data: { name: 'ar-searched-bob', group: 'ar-search', status: 'disabled' } });
    await token(ann.id);
    await token(ann.id);
    const users = new UserRepository(prisma);
    const names = async (f: object) => (await users.page(f, 500, 0)).rows.map((u) => [u.name, u.tokenCount]);
    expect(await names({ search: 'searched' })).toEqual([
      ['AR-Searched-Ann', 2],
      ['ar-searched-bob', 0],
    ]);
    expect(await names({ search: String(bob.id) })).toContainEqual(['ar-searched-bob', 0]);
    expect(await names({ group: 'ar-search', status: 'disabled' })).toEqual([['ar-searched-bob', 0]]);
    // '%' and '_' are text to search for, not LIKE wildcards.
    expect(await names({ search: '%' })).toEqual([]);
    const page = await users.page({ search: 'ar-searched' }, 1, 1);
    expect([page.total, page.rows.map((u) => u.id)]).toEqual([2, [bob.id]]);
  });

  it("groups: each with its users and the tokens it governs (a token's own group, else its user's)", async () => {
    await prisma.group.createMany({ data: [{ name: 'ar-count-a' }, { name: 'ar-count-b' }, { name: 'ar-count-empty' }] });
    const a = await prisma.user.create({ data: { name: 'ar-count-ua', group: 'ar-count-a' } });
    const b = await prisma.user.create({ data: { name: 'ar-count-ub', group: 'ar-count-b' } });
    await token(a.id);
    await token(a.id);
    const moved = await token(b.id);
    await prisma.token.update({ where: { id: moved.id }, data: { group: 'ar-count-a' } });
    await token(b.id);
    const rows = (await new GroupRepository(prisma).page(500, 0)).rows.filter((g) => g.name.startsWith('ar-count-'));
    expect(rows.map((g) => [g.name, g.userCount, g.tokenCount])).toEqual([
      ['ar-count-a', 1, 3],
      ['ar-count-b', 1, 1],
      ['ar-count-empty', 0, 0],
    ]);
  });

  it('groups of one org: its page and total only; whether anyone outside the org is in a group, as a user or by a token', async () => {
    const [o1, o2] = await Promise.all([prisma.org.create({ data: { name: 'ar-org-1' } }), prisma.org.create({ data: { name: 'ar-org-2' } })]);
    await prisma.group.createMany({ data: [{ name: 'ar-org-g1', orgId: o1.id }, { name: 'ar-org-g2', orgId: o2.id }, { name: 'ar-org-platform' }] });
    const repo = new GroupRepository(prisma);
    const page = await repo.page(500, 0, o1.id);
    expect([page.rows.map((g) => g.name), page.total]).toEqual([['ar-org-g1'], 1]);
    expect(await repo.holdsOtherOrgs('ar-org-g1', o1.id)).toBe(false);
    const insider = await prisma.user.create({ data: { name: 'ar-org-in', group: 'ar-org-g1', orgId: o1.id } });
    await token(insider.id);
    expect(await repo.holdsOtherOrgs('ar-org-g1', o1.id)).toBe(false);
    // a platform user's token naming the group
    const outsider = await prisma.user.create({ data: { name: 'ar-org-out' } });
    const t = await token(outsider.id);
    await prisma.token.update({ where: { id: t.id }, data: { group: 'ar-org-g1' } });
    expect(await repo.holdsOtherOrgs('ar-org-g1', o1.id)).toBe(true);
    expect(await repo.holdsOtherOrgs('ar-org-g1', o2.id)).toBe(true);
    await prisma.token.update({ where: { id: t.id }, data: { group: null } });
    expect(await repo.holdsOtherOrgs('ar-org-g1', o1.id)).toBe(false);
    expect(await repo.holdsOtherOrgs('ar-org-g1', o2.id)).toBe(true);
  });

  it('tokens filter by status and search a part of the name in any case or the start of the key, taking % and _ literally', async () => {
    const owner = await user();
    const make = (name: string, keyPrefix: string, status = 'active') =>
      prisma.token.create({ data: { name, userId: owner.id, keyHash: `${name}-${++seq}`.padEnd(64, '0'), keyPrefix, status } });
    await make('Search-Billing', 'sk-Qa1b…zz01');
    await make('search-crawler', 'sk-Qc2d…zz02', 'disabled');
    await make('search_100%', 'sk-Qe3f…zz03');
    const names = async (f: { status?: string; search?: string }) =>
      (await new TokenRepository(prisma).page({ userId: owner.id, ...f }, 500, 0)).rows.map((t) => t.name);
    expect(await names({ search: 'BILLING' })).toEqual(['Search-Billing']);
    expect(await names({ search: 'sk-Qc2' })).toEqual(['search-crawler']);
    expect(await names({ search: 'zz02' })).toEqual([]); // the key matches from its start only
    expect(await names({ status: 'disabled' })).toEqual(['search-crawler']);
    expect(await names({ status: 'active', search: 'search' })).toEqual(['Search-Billing', 'search_100%']);
    expect(await names({ search: '_100%' })).toEqual(['search_100%']);
    expect(await names({ search: 'h_' })).toEqual(['search_100%']); // as a wildcard "_" would match "h-" too
    expect(await names({ search: 'h%1' })).toEqual([]); // as a wildcard "%" would match "h_1"
  });

  it('deleting a user takes its tokens and records every audit entry given, in order, in the same transaction', async () => {
    const u = await user();
    const t = await token(u.id);
    const users = new UserRepository(prisma);
    await users.delete(u.id, [
      { actor: 'ar', action: 'delete', entity: 'token', entityId: t.id },
      { actor: 'ar', action: 'delete', entity: 'user', entityId: u.id },
    ]);
    expect(await prisma.token.findUnique({ where: { id: t.id } })).toBeNull();
    const audits = await prisma.auditLog.findMany({ where: { actor: 'ar' }, orderBy: { id: 'asc' } });
    expect(audits.map((a) => [a.entity, a.entityId])).toEqual([
      ['token', String(t.id)],
      ['user', String(u.id)],
    ]);
  });

  it('a token update reads the row it locked, and leaves nothing when its audit record fails; a missing token is null', async () => {
    const t = await token((await user()).id);
    await prisma.token.update({ where: { id: t.id }, data: { usedQuotaMicros: 5n } });
    const tokens = new TokenRepository(prisma);
    const seen: bigint[] = [];
    const updated = await tokens.update(
      t.id,
      (current) => {
        seen.push(current.usedQuotaMicros);
        return { status: 'disabled' };
      },
      (before, after) => ({ actor: 'ar-t', action: 'update', entity: 'token', entityId: after.id, before: before.status, after: after.status }),
    );
    expect(seen).toEqual([5n]);
    expect(updated?.status).toBe('disabled');
    const failing = () => {
      throw new Error('audit failed');
    };
    await expect(tokens.update(t.id, () => ({ status: 'active' }), failing)).rejects.toThrow('audit failed');
    expect((await tokens.byId(t.id))?.status).toBe('disabled');
    expect(await tokens.update(999_999, () => ({}), failing)).toBeNull();
    expect(await prisma.auditLog.findMany({ where: { actor: 'ar-t' }, select: { before: true, after: true } })).toEqual([
      { before: 'active', after: 'disabled' },
    ]);
  });
});
