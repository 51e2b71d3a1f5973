import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { adminClient, eventually, freePort, startStandalone, type System } from '../../support/harness';
import { isAlive } from '../../support/process';

jest.setTimeout(120_000);

const pidFile = (s: System) => path.join(s.dataDir, 'pglite.pid');
/** [gateway pid, database pid] from the claim file */
const claim = (s: System) => fs.readFileSync(pidFile(s), 'utf8').trim().split('\n').map(Number);
const exitOf = (s: System) => new Promise<number | null>((r) => s.procs[0].child.once('exit', (code) => r(code)));
/** the /proc/net/unix lines of a process's Unix sockets bound to a path in a private sb-pglite-* folder */
const databaseSocket = (pid: number) => {
  const inodes = new Set(
    fs.readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]];
      } catch {
        return [];
      }
    }),
  );
  return fs
    .readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .filter((l) => l.includes('/sb-pglite-') && inodes.has(l.trim().split(/\s+/)[6]));
};
/** the private folder of the database's socket (the path's folder) */
const socketFolder = (line: string) => path.dirname(line.trim().split(/\s+/)[7]);

/** EMBEDDED_DB_HOST=child-process: PGlite in a child process (libs/db/src/pglite-host.ts), its lifetime tied to the gateway's. */
describe('standalone: the embedded database process (EMBEDDED_DB_HOST=child-process)', () => {
  const CHILD = { EMBEDDED_DB_HOST: 'child-process' };
  let sys: System | undefined;

  afterEach(async () => {
    await sys?.stop();
    sys = undefined;
  });

  it('names both processes in the claim; a second start on the same DATA_DIR fails clearly; SIGTERM stops both', async () => {
    sys = await startStandalone(CHILD);
    const [gateway, db] = claim(sys);
    expect(gateway).toBe(sys.procs[0].child.pid);
    expect(isAlive(db)).toBe(true);
    expect(fs.readFileSync(`/proc/${db}/cmdline`, 'utf8')).toContain('pglite-host');

    const second = spawn(process.execPath, sys.procs[0].child.spawnargs.slice(1), {
      env: { ...sys.env, PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    second.stdout.on('data', (d: Buffer) => (out += d.toString()));
    second.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => second.once('exit', (c) => r(c)));
    expect(code).not.toBe(0);
    expect(out).toContain(`is in use by process ${gateway}`);
    expect(isAlive(db)).toBe(true); // the failed start touched nothing

    const exited = exitOf(sys);
    sys.procs[0].child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await eventually(async () => !isAlive(db), 5_000, 'the database process to exit');
    expect(fs.existsSync(pidFile(sys))).toBe(false);
  });

  it('the database process exits when the gateway is killed (SIGKILL); the next start takes the data over', async () => {
    sys = await startStandalone(CHILD);
    const admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/tokens', { name: 'survivor' })).status).toBe(201);
    const [, db] = claim(sys);
    const exited = exitOf(sys);
    sys.procs[0].child.kill('SIGKILL');
    await exited;
    await eventually(async () => !isAlive(db), 10_000, 'the orphaned database process to exit');

    const dataDir = sys.dataDir;
    sys = await startStandalone(CHILD, dataDir);
    const tokens = await adminClient(sys.url, sys.adminKey).get('/api/tokens');
    expect(JSON.stringify(tokens.body)).toContain('survivor');
  });

  it('a crash of the database process stops the gateway with a non-zero exit and a log line', async () => {
    sys = await startStandalone(CHILD);
    const [, db] = claim(sys);
    const folder = socketFolder(databaseSocket(db)[0]);
    expect(fs.existsSync(folder)).toBe(true);
    const exited = exitOf(sys);
    process.kill(db, 'SIGKILL');
    expect(await exited).not.toBe(0);
    expect(fs.existsSync(folder)).toBe(false); // the killed child could not remove it: the gateway did
    expect(sys.procs[0].output.join('')).toContain('embedded database host ended unexpectedly');

    // and it starts again on the same data
    sys = await startStandalone(CHILD, sys.dataDir);
    expect((await adminClient(sys.url, sys.adminKey).get('/api/tokens')).status).toBe(200);
  });
});

/** The default (EMBEDDED_DB_HOST unset = worker-thread): PGlite in a worker thread of the gateway, over a private socket. */
describe('standalone: the embedded database in a worker thread (the default)', () => {
  let sys: System | undefined;

  afterEach(async () => {
    await sys?.stop();
    sys = undefined;
  });

  const threads = (pid: number) => Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  it('serves on a socket inside the gateway process; SIGTERM stops cleanly; after SIGKILL the next start takes the data over', async () => {
    sys = await startStandalone();
    const gateway = sys.procs[0].child.pid!;
    const admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/tokens', { name: 'kept' })).status).toBe(201);
    // the claim names the gateway only (not the initdb child, gone): no database process of its own
    expect(claim(sys)).toEqual([gateway]);
    // the listening socket of the database host is in the gateway process itself (the worker thread's)
    expect(databaseSocket(gateway).length).toBeGreaterThanOrEqual(2); // listener + the client connection
    expect(threads(gateway)).toBeGreaterThan(1);
    // SPEC: `npm start` (the harness runs its command line) runs everything in one process: no child processes
    const children = fs
      .readdirSync(`/proc/${gateway}/task`)
      .flatMap((t) => fs.readFileSync(`/proc/${gateway}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
    expect(children).toEqual([]);

    const dataDir = sys.dataDir;
    const exited = exitOf(sys);
    sys.procs[0].child.kill('SIGKILL');
    await exited;
    sys = await startStandalone({}, dataDir); // the stale claim of a dead process is taken over
    expect(JSON.stringify((await adminClient(sys.url, sys.adminKey).get('/api/tokens')).body)).toContain('kept');

    const stopped = exitOf(sys);
    sys.procs[0].child.kill('SIGTERM');
    expect(await stopped).toBe(0);
    expect(fs.existsSync(pidFile(sys))).toBe(false);
    sys = undefined;
  });
});
