import os from 'node:os';
import { openDatabase, type Database, type PrismaService } from '@switchboard/db';
import { PriceRepository, type PriceData } from '../../../apps/billing/src/prices/price.repository';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from '../db/harness';

jest.setTimeout(60_000);

describePostgres('PriceRepository on Postgres', () => {
  let tdb: ThrowawayDatabase;
  let db: Database;
  let prisma: PrismaService;
  let repo: PriceRepository;
  const data = (micros: bigint, builtin = false): PriceData => ({
    inputMicros: micros,
    outputMicros: micros,
    cacheReadMicros: 0n,
    cacheWriteMicros: 0n,
    perRequestMicros: 0n,
    perImageMicros: null,
    perImageBySizeMicros: null,
    audioInputPerMinuteMicros: null,
    speechPerMillionCharsMicros: null,
    perSearchUnitMicros: null,
    builtin,
  });

  beforeAll(async () => {
    tdb = await createThrowawayDatabase();
    db = await openDatabase({ databaseUrl: tdb.url, dataDir: os.tmpdir(), migrate: true, seed: true });
    prisma = db.prisma;
    repo = new PriceRepository(prisma);
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('inserts only the models that have no price yet', async () => {
    await repo.putAudited('zz-kept', data(7n), () => ({ actor: 'a', action: 'create', entity: 'price', entityId: 'zz-kept' }));
    expect(
      await repo.insertMissing([
        { model: 'zz-kept', ...data(1n, true) },
        { model: 'zz-new', ...data(1n, true) },
      ]),
    ).toBe(1);
    expect((await prisma.price.findUniqueOrThrow({ where: { model: 'zz-kept' } })).inputMicros).toBe(7n);
    const byModel = (await repo.allByModel()).map((p) => p.model);
    expect(byModel).toEqual([...byModel].sort());
    expect((await repo.all()).length).toBe(byModel.length);
  });

  it('hands the audit the price before and after, and writes it in the same transaction', async () => {
    const seen: [bigint | undefined, bigint][] = [];
    await repo.putAudited('zz-audited', data(1n), (before, after) => {
      seen.push([before?.inputMicros, after.inputMicros]);
      return { actor: 'a', action: 'create', entity: 'price', entityId: 'zz-audited' };
    });
    await repo.putAudited('zz-audited', data(2n), (before, after) => {
      seen.push([before?.inputMicros, after.inputMicros]);
      return { actor: 'a', action: 'update', entity: 'price', entityId: 'zz-audited' };
    });
    expect(seen).toEqual([
      [undefined, 1n],
      [1n, 2n],
    ]);
    expect(await prisma.auditLog.count({ where: { entity: 'price', entityId: 'zz-audited' } })).toBe(2);
    await expect(
      repo.putAudited('zz-rolled-back', data(3n), () => {
        throw new Error('audit failed');
      }),
    ).rejects.toThrow('audit failed');
    expect(await prisma.price.findUnique({ where: { model: 'zz-rolled-back' } })).toBeNull();
  });

  it('resets a price to the given built-in row or deletes it, with its audit in the same transaction', async () => {
    await repo.putAudited('zz-reset', data(5n), () => ({ actor: 'a', action: 'create', entity: 'price', entityId: 'zz-reset' }));
    await repo.putAudited('zz-gone', data(5n), () => ({ actor: 'a', action: 'create', entity: 'price', entityId: 'zz-gone' }));
    const reset = await repo.resetAudited('zz-reset', data(1n, true), (before, after) => ({
      actor: 'a',
      action: 'update',
      entity: 'price',
      entityId: 'zz-reset',
      before: { input: Number(before.inputMicros) },
      after: { input: Number(after?.inputMicros) },
    }));
    expect([reset?.before.inputMicros, reset?.after?.inputMicros, reset?.after?.builtin]).toEqual([5n, 1n, true]);
    expect(await repo.byModel('zz-reset')).toMatchObject({ inputMicros: 1n, builtin: true });

    const gone = await repo.resetAudited('zz-gone', null, () => ({ actor: 'a', action: 'delete', entity: 'price', entityId: 'zz-gone' }));
    expect(gone?.after).toBeNull();
    expect(await repo.byModel('zz-gone')).toBeNull();
    expect(await prisma.auditLog.count({ where: { entity: 'price', entityId: { in: ['zz-reset', 'zz-gone'] } } })).toBe(4);
    expect(await repo.resetAudited('zz-gone', null, () => ({ actor: 'a', action: 'delete', entity: 'price', entityId: 'zz-gone' }))).toBeNull();

    await expect(
      repo.resetAudited('zz-reset', null, () => {
        throw new Error('audit failed');
      }),
    ).rejects.toThrow('audit failed');
    expect(await repo.byModel('zz-reset')).not.toBeNull();
  });
  it('round-trips the unit prices (micro-USD columns, the by-size map as JSON) and clears them back to NULL', async () => {
    const units = {
      perImageMicros: 40_000n,
      perImageBySizeMicros: { '1024x1024': 40_000, 'hd:1792x1024': 120_000 },
      audioInputPerMinuteMicros: 6_000n,
      speechPerMillionCharsMicros: 15_000_000n,
      perSearchUnitMicros: 2_000n,
    };
    await repo.putAudited('zz-units', { ...data(0n), ...units }, () => ({ actor: 'a', action: 'create', entity: 'price', entityId: 'zz-units' }));
    expect(await repo.byModel('zz-units')).toMatchObject(units);
    await repo.insertMissing([{ model: 'zz-units-builtin', ...data(0n, true), ...units, perImageMicros: null }]);
    expect(await repo.byModel('zz-units-builtin')).toMatchObject({ ...units, perImageMicros: null });
    const [row] = await prisma.$queryRaw<{ bySize: unknown; kind: string }[]>`
      SELECT "perImageBySizeMicros" AS "bySize", jsonb_typeof("perImageBySizeMicros") AS kind FROM prices WHERE model = 'zz-units'`;
    expect(row).toEqual({ bySize: { '1024x1024': 40_000, 'hd:1792x1024': 120_000 }, kind: 'object' });

    await repo.putAudited('zz-units', data(0n), () => ({ actor: 'a', action: 'update', entity: 'price', entityId: 'zz-units' }));
    const [cleared] = await prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM prices WHERE model = 'zz-units' AND "perImageMicros" IS NULL AND "perImageBySizeMicros" IS NULL
        AND "audioInputPerMinuteMicros" IS NULL AND "speechPerMillionCharsMicros" IS NULL AND "perSearchUnitMicros" IS NULL`;
    expect(cleared.n).toBe(1n);
    await repo.resetAudited('zz-units', { ...data(0n, true), ...units }, () => ({ actor: 'a', action: 'update', entity: 'price', entityId: 'zz-units' }));
    expect(await repo.byModel('zz-units')).toMatchObject({ ...units, builtin: true });
  });
});
