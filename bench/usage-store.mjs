// What the embedded database costs per usage record in standalone: the log store's insert (request_logs and the key
// counters, log-writer's statement) and the usage debit (ledger row, balance, token quota, billing's transaction) on
// PGlite in this process, so process.cpuUsage() covers PGlite's WASM as well. CPU time, not wall time: it holds on a
// busy machine.
//
//   npm run build && node bench/usage-store.mjs [--batch 200] [--rounds 30] [--drop-indexes]
// --drop-indexes also measures request_logs with only its primary key and (createdAt, requestId) index.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const { openDatabase, seed } = require(path.join(ROOT, 'dist/libs/db/src'));
const { RequestLogRepository } = require(path.join(ROOT, 'dist/apps/log-writer/src/logs/request-log.repository.js'));
const { UsageLedgerRepository } = require(path.join(ROOT, 'dist/apps/billing/src/ledger/usage-ledger.repository.js'));
const { usageRecord } = require(path.join(ROOT, 'dist/libs/messaging/src/usage/usage-record.fixture.js'));

const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const batch = Number(arg('batch', '200'));
const rounds = Number(arg('rounds', '30'));

/** A chat request's record as the relay writes it (the queue specs' fixture, with this bench's user and token). */
const record = (requestId, userId, tokenId) => ({
  ...usageRecord(requestId),
  userId,
  tokenId,
  channelId: null,
  model: 'gpt-4o-mini',
  upstreamModel: 'gpt-4o-mini',
});

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-usage-store-'));
const db = await openDatabase({ dataDir, migrate: true });
try {
  await seed(db.prisma);
  const user = await db.prisma.user.create({ data: { name: 'bench', balanceMicros: 10n ** 15n } });
  const token = await db.prisma.token.create({
    data: { name: 'bench', userId: user.id, keyHash: crypto.randomBytes(32).toString('hex'), keyPrefix: 'sk-bench' },
  });
  const logs = new RequestLogRepository(db.prisma);
  const ledger = new UsageLedgerRepository(db.prisma);

  const measure = async (label, store) => {
    const cpu = process.cpuUsage();
    const wall = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await store(Array.from({ length: batch }, () => record(crypto.randomUUID(), user.id, token.id)));
    const used = process.cpuUsage(cpu);
    const n = batch * rounds;
    const us = (used.user + used.system) / n;
    console.log(
      `${label.padEnd(34)} ${us.toFixed(1).padStart(6)} µs CPU/record  ${(Number(process.hrtime.bigint() - wall) / 1000 / n).toFixed(1).padStart(6)} µs wall/record`,
    );
    return us;
  };
  const logStore = (records) => logs.insertNew(records);
  const debit = (records) => ledger.debit(records.map((r) => ({ requestId: r.requestId, userId: r.userId, tokenId: r.tokenId, costMicros: r.costMicros })));

  console.log(`PGlite in-process, batches of ${batch}, ${rounds} rounds each (the first of each is a warm-up)`);
  await measure('log store (warm-up)', logStore);
  const a = await measure('log store: request_logs + counters', logStore);
  await measure('usage debit (warm-up)', debit);
  const b = await measure('usage debit: ledger + balance', debit);
  console.log(`${'both, per request'.padEnd(34)} ${(a + b).toFixed(1).padStart(6)} µs CPU/record`);
  if (process.argv.includes('--drop-indexes')) {
    for (const ix of ['tokenId', 'userId', 'model', 'channelId', 'endpoint'])
      await db.prisma.$executeRawUnsafe(`DROP INDEX IF EXISTS "request_logs_${ix}_idx"`);
    await measure('log store, pk + createdAt index only', logStore);
    for (const ix of ['userId', 'tokenId']) await db.prisma.$executeRawUnsafe(`DROP INDEX IF EXISTS "ledger_entries_${ix}_idx"`);
    await measure('usage debit, no single-column indexes', debit);
  }
} finally {
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
