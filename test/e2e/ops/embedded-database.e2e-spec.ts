import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { adminClient, eventually, freePort, startStandalone, type System } from '../../support/harness';
import { isAlive } from '../../support/process';

jest.setTimeout(120_000);

/** EMBEDDED_DB_HOST=child-process: PGlite in a child process (libs/db/src/pglite-host.ts), its lifetime tied to the gateway's. */
describe('standalone: the embedded database process (EMBEDDED_DB_HOST=child-process)', () => {
  const CHILD = { EMBEDDED_DB_HOST: 'child-process' };
  let sys: System | undefined;

  afterEach(async () => {
    await sys?.stop();
    sys = undefined;
  });

  const pidFile = (s: System) => path.join(s.dataDir, 'pglite.pid');
  /** [gateway pid, database pid] from the claim file */
  const claim = (s: System) => fs.readFileSync(pidFile(s), 'utf8').trim().split('\n').map(Number);
  const exitOf = (s: System) => new Promise<number | null>((r) => s.procs[0]!.child.once('exit', (code) => r(code)));

  it('names both processes in the claim; a second start on the same DATA_DIR fails clearly; SIGTERM stops both', async () => {
    sys = await startStandalone(CHILD);
    const [gateway, db] = claim(sys);
    expect(gateway).toBe(sys.procs[0]!.child.pid);
    expect(isAlive(db!)).toBe(true);
    expect(fs.readFileSync(`/proc/${db}/cmdline`, 'utf8')).toContain('pglite-host');

    const second = spawn(process.execPath, [sys.procs[0]!.child.spawnargs[1]!], {
      env: { ...sys.env, PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    second.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    second.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => second.once('exit', (c) => r(c)));
    expect(code).not.toBe(0);
    expect(out).toContain(`is in use by process ${gateway}`);
    expect(isAlive(db!)).toBe(true); // the failed start touched nothing

    const exited = exitOf(sys);
    sys.procs[0]!.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await eventually(async () => !isAlive(db!), 5_000, 'the database process to exit');
    expect(fs.existsSync(pidFile(sys))).toBe(false);
  });

  it('the database process exits when the gateway is killed (SIGKILL); the next start takes the data over', async () => {
    sys = await startStandalone(CHILD);
    const admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/tokens', { name: 'survivor' })).status).toBe(201);
    const [, db] = claim(sys);
    const exited = exitOf(sys);
    sys.procs[0]!.child.kill('SIGKILL');
    await exited;
    await eventually(async () => !isAlive(db!), 10_000, 'the orphaned database process to exit');

    const dataDir = sys.dataDir;
    sys = await startStandalone(CHILD, dataDir);
    const tokens = await adminClient(sys.url, sys.adminKey).get('/api/tokens');
    expect(JSON.stringify(tokens.body)).toContain('survivor');
  });

  it('a crash of the database process stops the gateway with a non-zero exit and a log line', async () => {
    sys = await startStandalone(CHILD);
    const [, db] = claim(sys);
    const exited = exitOf(sys);
    process.kill(db!, 'SIGKILL');
    expect(await exited).not.toBe(0);
    expect(sys.procs[0]!.output.join('')).toContain('embedded database process exited unexpectedly');

    // and it starts again on the same data
    sys = await startStandalone(CHILD, sys.dataDir);
    expect((await adminClient(sys.url, sys.adminKey).get('/api/tokens')).status).toBe(200);
  });
});
