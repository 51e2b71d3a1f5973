// deploy/Dockerfile, .dockerignore and deploy/healthcheck.js (there is no Docker engine here: the Dockerfile is
// read statically; the health probe script is run for real against a local HTTP server).
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DEFAULT_PORTS, ROOT, SERVICE_NAMES, dockerIgnored, exists, parseDockerfile } from './deploy-files';

const { instructions, stages } = parseDockerfile();
const finalStage = stages.length - 1;
const inFinal = (op: string) => instructions.filter((i) => i.stage === finalStage && i.op === op);
const runs = instructions.filter((i) => i.op === 'RUN').map((i) => i.args);

/** ENV lines (`K=V K2=V2` or legacy `K V`) of the final stage. */
function finalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of inFinal('ENV')) {
    if (/^[A-Za-z_][A-Za-z0-9_]*\s+[^=]*$/.test(i.args) && !i.args.includes('=')) {
      const [k, ...v] = i.args.split(/\s+/);
      env[k] = v.join(' ');
    } else for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  return env;
}

describe('deploy/Dockerfile', () => {
  test('multi-stage on node:20-bookworm-slim: npm ci, build, prune dev dependencies', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.split(/\s+/)[0]).toBe('node:20-bookworm-slim');
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r));
    const build = runs.findIndex((r) => r.includes('node scripts/build.mjs'));
    const prune = runs.findIndex((r) => /npm prune\b.*--omit=dev/.test(r));
    expect([ci >= 0, build >= 0, prune >= 0]).toEqual([true, true, true]);
    expect(ci).toBeLessThanOrEqual(build);
    expect(build).toBeLessThanOrEqual(prune);
    // the runtime stage takes the built, pruned tree from the build stage, not from the context
    const copies = inFinal('COPY').map((c) => c.args);
    for (const p of ['/app/node_modules', '/app/dist', '/app/package.json']) expect(copies.some((c) => c.includes(`--from=build`) && c.includes(p))).toBe(true);
  });

  test('runtime: non-root numeric user, HOST=0.0.0.0, DATA_DIR=/data, no fixed PORT, gateway by default, a HEALTHCHECK', () => {
    const user = inFinal('USER').pop()!.args;
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    const env = finalEnv();
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.DATA_DIR).toBe('/data');
    expect(env.PORT).toBeUndefined(); // each service binds its own default port
    expect(inFinal('WORKDIR').pop()!.args).toBe('/app');
    expect(JSON.parse(inFinal('CMD').pop()!.args)).toEqual(['node', 'dist/apps/gateway/src/main.js']);
    expect(inFinal('ENTRYPOINT')).toEqual([]); // so `command:` in compose/k8s replaces the whole command line
    const hc = inFinal('HEALTHCHECK').pop()!.args;
    const cmd = JSON.parse(hc.slice(hc.indexOf('CMD') + 3).trim()) as string[];
    expect(cmd.slice(0, 2)).toEqual(['node', '/app/deploy/healthcheck.js']);
    expect(cmd[2]).toMatch(/^\/health\/(ready|live)$/);
    expect(inFinal('COPY').some((c) => c.args.includes('deploy/healthcheck.js ./deploy/healthcheck.js'))).toBe(true);
    for (const s of SERVICE_NAMES) expect(exists(`apps/${s}/src/main.ts`)).toBe(true);
  });

  test('every file COPY takes from the context exists and is not excluded by .dockerignore', () => {
    const fromContext = instructions.filter((i) => i.op === 'COPY' && !i.args.includes('--from='));
    expect(fromContext.length).toBeGreaterThan(0);
    for (const c of fromContext) {
      const parts = c.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        expect({ src, exists: exists(src) }).toEqual({ src, exists: true });
        expect({ src, ignored: dockerIgnored(src) }).toEqual({ src, ignored: false });
      }
    }
    // what the build reads beyond those folders' roots
    for (const f of [
      'scripts/build.mjs',
      'scripts/swc-config.cjs',
      'scripts/prisma-generate.mjs',
      'libs/db/prisma/schema.prisma',
      'libs/db/migrations/migration_lock.toml',
    ]) {
      expect({ f, ignored: dockerIgnored(f) }).toEqual({ f, ignored: false });
    }
    for (const f of ['node_modules/x', 'libs/config/node_modules/x', 'dist/apps', '.git/HEAD', '.env', 'data/admin.key', 'libs/db/generated/client.ts']) {
      expect({ f, ignored: dockerIgnored(f) }).toEqual({ f, ignored: true });
    }
  });
});

describe('deploy/healthcheck.js', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.statusCode = req.url === '/health/ready' || req.url === '/health/live' ? 200 : 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const probe = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> =>
    new Promise((resolve) => {
      const child = execFile(process.execPath, [path.join(ROOT, 'deploy/healthcheck.js'), ...args], {
        env: { PATH: process.env.PATH, ...env },
        timeout: 10_000,
      });
      child.on('exit', (code) => resolve(code ?? -1));
    });

  test('exits 0 when the endpoint answers 2xx and 1 on 503 or a closed port', async () => {
    const results = await Promise.all([
      probe([`http://127.0.0.1:${port}/health/ready`]),
      probe(['/health/live'], { PORT: String(port) }),
      probe([], { PORT: String(port) }),
      probe([`http://127.0.0.1:${port}/unhealthy`]),
      probe(['http://127.0.0.1:1/health/ready']),
    ]);
    expect(results).toEqual([0, 0, 0, 1, 1]);
  });

  test('knows each service’s default port (used when PORT is unset, from PID 1’s command line)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { portFor } = require(path.join(ROOT, 'deploy/healthcheck.js')) as { portFor: (env: NodeJS.ProcessEnv, cmdline: string) => number };
    for (const s of SERVICE_NAMES) expect({ s, port: portFor({}, `node\0dist/apps/${s}/src/main.js\0`) }).toEqual({ s, port: DEFAULT_PORTS[s] });
    expect(portFor({}, 'node\0dist/apps/standalone/src/main.js\0')).toBe(DEFAULT_PORTS.gateway);
    expect(portFor({ PORT: '8080' }, 'node\0dist/apps/auth/src/main.js\0')).toBe(8080);
  });
});
