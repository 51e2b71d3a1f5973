// `npm run start:service` / `start:cluster` on a copy of the repository (so a build, if one happened, would rewrite the
// copy's dist/ and not the one other suites run): starting must not rewrite an existing build, and a missing one is
// a clear error (start:service) or built once before anything starts (start:cluster).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireInfra } from '../../support/infra';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../..');
const SERVICES = ['gateway', 'auth', 'router', 'billing', 'log-writer'];

interface Run {
  code: number | null;
  out: string;
}

/**
 * Brokers no one listens on: should a script build and start a real service after all (the failure this file
 * catches), it must not join the machine's shared NATS and Redis and answer other suites' messages.
 */
const ISOLATED = { NATS_URL: 'nats://127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:9', PORT: '0' };

function npmRun(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', ...args], {
      cwd,
      env: { ...process.env, ...ISOLATED, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // The whole process group: npm, the script and whatever it started.
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** A copy with the sources (a build there would succeed) and a dist/ whose services only say they started. */
function checkout(built: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-start-'));
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.base.json', 'nest-cli.json', 'scripts', 'apps', 'libs']) {
    fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const name of built) {
    const main = path.join(dir, 'dist/apps', name, 'src/main.js');
    fs.mkdirSync(path.dirname(main), { recursive: true });
    // Alive a while: start:cluster stops every service when one exits, possibly before a slow one has printed.
    fs.writeFileSync(main, `console.log('started ${name} from the existing build');\nsetTimeout(() => undefined, 3000);\n`);
  }
  return dir;
}

/** Every file under dist/ with its mtime and content: what a build would change. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const dist = path.join(dir, 'dist');
  if (!fs.existsSync(dist)) return out;
  for (const rel of fs.readdirSync(dist, { recursive: true }) as string[]) {
    const p = path.join(dist, rel);
    const st = fs.statSync(p);
    if (st.isFile()) out[rel] = `${st.mtimeMs} ${fs.readFileSync(p, 'utf8')}`;
  }
  return out;
}

describe('start scripts do not rebuild', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('start:service runs the existing build and leaves dist/ as it was', async () => {
    const dir = checkout(['auth']);
    dirs.push(dir);
    const before = snapshot(dir);
    const r = await npmRun(dir, ['start:service', '--', 'auth']);
    expect(r.out).toContain('started auth from the existing build');
    expect(r.code).toBe(0);
    expect(snapshot(dir)).toEqual(before);
  });

  it('start:service without a build says how to make one, and builds nothing', async () => {
    const dir = checkout([]);
    dirs.push(dir);
    const r = await npmRun(dir, ['start:service', '--', 'router']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('no build of router in dist/: run `npm run build` once');
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  it('start:cluster starts every service from the existing build without rebuilding', async () => {
    if (!(await requireInfra('postgres'))) return;
    const dir = checkout(SERVICES);
    dirs.push(dir);
    const before = snapshot(dir);
    // The stand-in services exit at once, which stops the cluster; the existing `postgres` database is used.
    const r = await npmRun(dir, ['start:cluster'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' });
    for (const name of SERVICES) expect(r.out).toContain(`started ${name} from the existing build`);
    expect(r.out).not.toContain('building once');
    expect(snapshot(dir)).toEqual(before);
  });
});
