import os from 'node:os';
import { SecretBox } from '@switchboard/common';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { ChannelRepository } from '../../../apps/router/src/channels/channel.repository';
import { sealChannelSecrets } from '../../../apps/router/src/channels/channel-secrets';
import { committingBetweenStatements } from '../db/between-statements';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

/** The routing table's and the probe worker's reads of channels and aliases on real Postgres. */
describePostgres('ChannelRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: ChannelRepository;
  const create = (name: string, enabled: boolean) =>
    prisma.channel.create({
      data: {
        name,
        type: 'openai',
        baseUrl: 'http://up',
        models: ['m'],
        enabled,
        keys: {
          create: [
            { position: 1, keyCiphertext: 'ct-1', keyHint: 'h' },
            { position: 0, keyCiphertext: 'ct-0', keyHint: 'h' },
          ],
        },
      },
    });

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new ChannelRepository(prisma);
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('lists enabled channels by id with their keys, and reads one channel whatever its state', async () => {
    const b = await create('cr-b', true);
    const off = await create('cr-off', false);
    const a = await create('cr-a', true);
    const enabled = await repo.enabledWithKeys();
    expect(enabled.map((c) => c.id)).toEqual([b.id, a.id].sort((x, y) => x - y));
    expect(enabled[0].keys.map((k) => k.position).sort()).toEqual([0, 1]);
    expect(await repo.withKeys(off.id)).toMatchObject({ id: off.id, enabled: false, keys: [{}, {}] });
    expect(await repo.withKeys(999_999)).toBeNull();
  });

  it('records a health check: the response time, or null when it failed, and when it ran', async () => {
    const c = await create('cr-checked', true);
    const at = new Date('2026-06-01T12:00:00.000Z');
    await repo.recordCheck(c.id, 42, at);
    expect(await prisma.channel.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ responseTimeMs: 42, lastCheckedAt: at });
    await repo.recordCheck(c.id, null, at);
    expect((await prisma.channel.findUniqueOrThrow({ where: { id: c.id } })).responseTimeMs).toBeNull();
  });

  it('lists aliases', async () => {
    await prisma.alias.create({ data: { name: 'cr-alias', targets: [{ model: 'm', weight: 1 }], fallbacks: ['f'] } });
    expect(await repo.aliases()).toEqual([expect.objectContaining({ name: 'cr-alias', targets: [{ model: 'm', weight: 1 }], fallbacks: ['f'] })]);
  });

  it('finds channels with plain-text legacy secrets, and stores sealed ones in their place', async () => {
    const c = await create('cr-legacy', true);
    await tdb.query(`UPDATE channels SET headers = '{"x-a":"1"}' WHERE id = $1`, [c.id]);
    expect((await repo.withLegacySecrets()).map((x) => x.id)).toEqual([c.id]);
    await repo.storeSecrets(c.id, sealChannelSecrets({ headers: { 'x-a': '1' } }, new SecretBox('ab'.repeat(32))));
    expect(await repo.withLegacySecrets()).toEqual([]);
    expect((await prisma.channel.findUniqueOrThrow({ where: { id: c.id } })).headersCiphertext).toEqual(expect.any(String));
  });

  const audits = (entityId: number) => prisma.auditLog.findMany({ where: { entity: 'channel', entityId: String(entityId) }, orderBy: { id: 'asc' } });
  const key = (position: number, hint: string) => ({ position, keyCiphertext: `ct-${hint}`, keyHint: hint, status: 'enabled' });

  it('admin writes: each commits with its audit record; an update given keys replaces them all; delete takes the keys along', async () => {
    const c = await repo.create({ name: 'cr-admin', type: 'openai', baseUrl: 'http://up', models: ['m'], keys: { create: [key(0, 'a')] } }, (row) => ({
      actor: 't',
      action: 'create',
      entity: 'channel',
      entityId: row.id,
      after: { keys: row.keys.length },
    }));
    expect(c.keys.map((k) => k.keyHint)).toEqual(['a']);
    const kept = await repo.update(c.id, undefined, { priority: 2 }, (row) => ({ actor: 't', action: 'update', entity: 'channel', entityId: row.id }));
    expect(kept).toMatchObject({ priority: 2, keys: [{ keyHint: 'a' }] });
    const replaced = await repo.update(c.id, [key(0, 'b'), key(1, 'c')], {}, (row) => ({
      actor: 't',
      action: 'update',
      entity: 'channel',
      entityId: row.id,
      after: { keys: row.keys.length },
    }));
    expect(replaced.keys.map((k) => k.keyHint).sort()).toEqual(['b', 'c']);
    await repo.delete(c.id, { actor: 't', action: 'delete', entity: 'channel', entityId: c.id });
    expect(await prisma.channelKey.count({ where: { channelId: c.id } })).toBe(0);
    expect((await audits(c.id)).map((a) => [a.action, a.after])).toEqual([
      ['create', { keys: 1 }],
      ['update', null],
      ['update', { keys: 2 }],
      ['delete', null],
    ]);
  });

  it('an update whose audit record fails leaves the channel and its keys as they were', async () => {
    const c = await create('cr-rollback', true);
    const failing = () => {
      throw new Error('audit failed');
    };
    await expect(repo.update(c.id, [key(0, 'z')], { priority: 9 }, failing)).rejects.toThrow('audit failed');
    expect(await repo.withKeys(c.id)).toMatchObject({ priority: 0, keys: [{ keyHint: 'h' }, { keyHint: 'h' }] });
  });

  it('upsertByName creates the named channel with its keys, then updates it in place with the keys replaced', async () => {
    const seen: (number | null)[] = [];
    const upsert = (hint: string, baseUrl: string) =>
      repo.upsertByName(
        'cr-env',
        [key(0, hint)],
        (existing) => {
          seen.push(existing?.id ?? null);
          return { update: { baseUrl }, create: { name: 'cr-env', type: 'openai', baseUrl, models: ['*'] } };
        },
        (action, entityId) => ({ actor: 'env', action, entity: 'channel', entityId }),
      );
    await upsert('first', 'http://one');
    const created = await prisma.channel.findUniqueOrThrow({ where: { name: 'cr-env' }, include: { keys: true } });
    expect(created).toMatchObject({ baseUrl: 'http://one', models: ['*'], keys: [{ keyHint: 'first' }] });
    await upsert('second', 'http://two');
    expect(await repo.withKeys(created.id)).toMatchObject({ baseUrl: 'http://two', models: ['*'], keys: [{ keyHint: 'second' }] });
    expect(seen).toEqual([null, created.id]);
    expect((await audits(created.id)).map((a) => [a.actor, a.action])).toEqual([
      ['env', 'create'],
      ['env', 'update'],
    ]);
  });

  it('pages by id with keys, the page and the total in one snapshot: a channel committed between its statements is in neither', async () => {
    let seq = 0;
    const commit = () => create(`cr-snap-${++seq}`, true);
    await commit();
    const page = await new ChannelRepository(committingBetweenStatements(prisma, commit)).page(500, 0);
    expect(page.total).toBe(page.rows.length);
    expect(page.rows.filter((c) => c.name.startsWith('cr-snap-')).every((c) => c.keys.length === 2)).toBe(true);
    expect((await repo.page(500, 0)).total).toBeGreaterThan(page.total); // the commits did happen
    const second = await repo.page(1, 1);
    expect(second.rows.map((c) => c.id)).toEqual([(await repo.page(2, 0)).rows[1].id]);
  });

  it('key pool: concurrent batch adds take distinct next positions and see each other (no duplicate slips in); each is audited', async () => {
    const c = await create('cr-pool', true); // positions 0 and 1
    const row = (hint: string) => ({ keyCiphertext: `ct-${hint}`, keyHint: hint, status: 'enabled' });
    // each plan adds 'shared' only if no row has it yet, as the service does with decrypted keys
    const plan = (mine: string) => (existing: { keyHint: string }[]) => ['shared', mine].filter((h) => !existing.some((k) => k.keyHint === h)).map(row);
    const audit = (change: { after: { id: number; keys: unknown[] } }) => ({
      actor: 't',
      action: 'update' as const,
      entity: 'channel' as const,
      entityId: change.after.id,
      after: { keys: change.after.keys.length },
    });
    const [one, two] = await Promise.all([repo.addKeys(c.id, plan('one'), audit), repo.addKeys(c.id, plan('two'), audit)]);
    expect([...one!.keys, ...two!.keys].map((k) => k.keyHint).sort()).toEqual(['one', 'shared', 'two']);
    const stored = (await repo.withKeys(c.id))!.keys.sort((a, b) => a.position - b.position);
    expect(stored.map((k) => k.position)).toEqual([0, 1, 2, 3, 4]);
    expect(stored.filter((k) => k.keyHint === 'shared')).toHaveLength(1);
    expect((await audits(c.id)).map((a) => a.after)).toEqual(expect.arrayContaining([{ keys: 4 }, { keys: 5 }]));
    expect(await repo.addKeys(999_999, plan('x'), audit)).toBeNull();
  });

  it('key pool: relabel/disable one key, delete one (the others keep their positions), a refusing guard writes nothing', async () => {
    const c = await create('cr-pool-edit', true);
    const [k0, k1] = (await repo.withKeys(c.id))!.keys.sort((a, b) => a.position - b.position);
    const audit = () => ({ actor: 't', action: 'update' as const, entity: 'channel' as const, entityId: c.id });
    const changed = await repo.updateKey(c.id, k1.id, { label: 'team B', status: 'disabled' }, audit);
    expect(changed!.keys[0]).toMatchObject({ id: k1.id, label: 'team B', status: 'disabled', position: 1 });
    expect(changed!.before.keys.find((k) => k.id === k1.id)).toMatchObject({ label: '', status: 'enabled' });
    expect(await repo.updateKey(c.id + 1_000_000, k1.id, { label: 'x' }, audit)).toBeNull();
    await expect(
      repo.deleteKey(
        c.id,
        k0.id,
        () => {
          throw new Error('refused');
        },
        audit,
      ),
    ).rejects.toThrow('refused');
    expect((await repo.withKeys(c.id))!.keys).toHaveLength(2);
    await repo.deleteKey(c.id, k0.id, () => undefined, audit);
    expect((await repo.withKeys(c.id))!.keys.map((k) => [k.id, k.position])).toEqual([[k1.id, 1]]);
    expect(await repo.deleteKey(c.id, k0.id, () => undefined, audit)).toBeNull();
    expect(await audits(c.id)).toHaveLength(2);
  });
});
