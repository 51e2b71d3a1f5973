// docker-compose.yml, read the way `docker compose config` reads it (interpolation with defaults, merge keys), and
// checked for what makes `docker compose up` work: one image, each service's own entry point and PORT, healthchecks
// on /health/ready, start order by health, the dependency URLs pointing at the compose services, a valid config.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../libs/config/src/config';
import {
  COMPOSE_TEST_SECRETS,
  DEFAULT_PORTS,
  ENV_NAMES,
  ROOT,
  SERVICE_NAMES,
  arr,
  composeEnv,
  composeVolumes,
  durationSeconds,
  exists,
  interpolateCompose,
  isObj,
  loadCompose,
  obj,
  parseYaml,
  read,
  type Obj,
} from './deploy-files';

const SECRETS = COMPOSE_TEST_SECRETS;
const natsPasswordVar = (service: string) => `NATS_PASSWORD_${service.toUpperCase().replace(/-/g, '_')}`;
const compose = loadCompose(SECRETS);
const svc = (name: string): Obj => obj(compose.services[name], `service ${name}`);

describe('docker-compose.yml', () => {
  test('has no default secret: without each one compose refuses to start, naming it; overrides take effect', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SERVICE_NAMES, 'nats', 'redis', 'postgres', 'prometheus', 'grafana'].sort());
    for (const name of Object.keys(SECRETS)) {
      const { [name]: _left, ...rest } = SECRETS;
      expect(() => loadCompose(rest)).toThrow(new RegExp(`required variable ${name} is missing`));
    }
    const custom = loadCompose({ ...SECRETS, SWITCHBOARD_IMAGE: 'registry.example.com/switchboard:9.9.9' });
    expect(composeEnv(obj(custom.services.auth, 'auth')).SECRET_KEY).toBe(SECRETS.SECRET_KEY);
    expect(obj(custom.services.gateway, 'gateway').image).toBe('registry.example.com/switchboard:9.9.9');
    // the interpolation helper itself: defaults, required, escapes
    expect(interpolateCompose('${A:-x} ${B-y} $$C ${D}', { B: '' })).toBe('x  $C ');
    expect(() => interpolateCompose('${A:?set A}')).toThrow(/A is missing/);
  });

  test('the five services run the same image, built once from deploy/Dockerfile', () => {
    const images = new Set(SERVICE_NAMES.map((s) => svc(s).image));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^[a-z0-9./-]+(:[A-Za-z0-9._-]+)?$/);
    for (const s of SERVICE_NAMES) {
      const build = obj(svc(s).build, `${s}.build`);
      expect({ service: s, context: build.context, dockerfile: build.dockerfile }).toEqual({ service: s, context: '.', dockerfile: 'deploy/Dockerfile' });
    }
    expect(exists('deploy/Dockerfile')).toBe(true);
  });

  test.each(SERVICE_NAMES.map((s) => [s]))('%s runs its own entry point on its own PORT, with a valid cluster configuration', (name) => {
    const s = svc(name);
    expect(s.command).toEqual(['node', `dist/apps/${name}/src/main.js`]);
    expect(exists(`apps/${name}/src/main.ts`)).toBe(true); // the source the build compiles to that entry point
    const env = composeEnv(s);
    expect(Number(env.PORT)).toBe(DEFAULT_PORTS[name]);
    for (const k of Object.keys(env)) expect({ variable: k, known: ENV_NAMES.has(k) }).toEqual({ variable: k, known: true });
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.DATA_DIR).toBe('/data');
    // the real config loader accepts it (URL schemes, 64-hex SECRET_KEY, cluster mode needs NATS/Redis/Postgres)
    const config = loadConfig(name, env);
    expect({ mode: config.mode, port: config.PORT }).toEqual({ mode: 'cluster', port: DEFAULT_PORTS[name] });
    // DATA_DIR is a volume, so the non-root user can write it
    expect(composeVolumes(s).map((v) => v.target)).toContain('/data');
  });

  test('every Switchboard process gets the same shared settings (SECRET_KEY above all) and its own NATS user', () => {
    const shared = SERVICE_NAMES.map((n) => {
      const { PORT: _port, NATS_USER: user, NATS_PASSWORD: password, ...rest } = composeEnv(svc(n));
      expect({ n, user, password }).toEqual({ n, user: n, password: SECRETS[natsPasswordVar(n)] });
      return rest;
    });
    for (const e of shared) expect(e).toEqual(shared[0]);
    expect(shared[0].SECRET_KEY).toMatch(/^[0-9a-f]{64}$/i);
  });

  test('NATS runs deploy/nats/start.sh on deploy/nats/nats.conf and gets a password for every user in it; Redis requires its password', () => {
    const nats = svc('nats');
    const cmd = arr(nats.command, 'nats.command').map(String);
    expect(cmd.slice(0, 2)).toEqual(['sh', '/etc/nats/start.sh']);
    expect(composeVolumes(nats).find((v) => v.target === '/etc/nats')).toEqual({ source: './deploy/nats', target: '/etc/nats', readOnly: true });
    const vars = [...read('deploy/nats/nats.conf').matchAll(/password:\s*\$(\w+)/g)].map((m) => m[1]);
    expect(vars.sort()).toEqual(SERVICE_NAMES.map(natsPasswordVar).sort());
    const natsEnv = composeEnv(nats);
    for (const v of vars) expect({ v, value: natsEnv[v] }).toEqual({ v, value: SECRETS[v] });
    const redis = svc('redis');
    expect(arr(redis.command, 'redis.command').join(' ')).toContain('--requirepass "$REDIS_PASSWORD"');
    expect(composeEnv(redis).REDIS_PASSWORD).toBe(SECRETS.REDIS_PASSWORD);
    expect(decodeURIComponent(new URL(composeEnv(svc('gateway')).REDIS_URL).password)).toBe(SECRETS.REDIS_PASSWORD);
  });

  test('no secret has a default value in the file, and published ports stay on loopback', () => {
    for (const name of Object.keys(SECRETS))
      expect({ name, defaulted: compose.raw.includes(`\${${name}:-`) || compose.raw.includes(`\${${name}-`) }).toEqual({ name, defaulted: false });
    expect(compose.raw).toMatch(/SECRET_KEY: \$\{SECRET_KEY:\?/);
    expect(compose.raw).toMatch(/ADMIN_KEY: \$\{ADMIN_KEY:\?/);
    for (const [name, s] of Object.entries(compose.services)) {
      for (const p of Array.isArray(s.ports) ? s.ports : []) {
        expect({ service: name, port: String(p) }).toEqual({ service: name, port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/) });
      }
    }
    expect(svc('gateway').ports).toEqual(['127.0.0.1:3000:3000']);
  });

  test.each(SERVICE_NAMES.map((s) => [s]))('%s: healthcheck hits /health/ready on its PORT; stop grace covers SHUTDOWN_TIMEOUT_MS', (name) => {
    const s = svc(name);
    const hc = obj(s.healthcheck, `${name}.healthcheck`);
    expect(hc.test).toEqual(['CMD', 'node', '/app/deploy/healthcheck.js', `http://127.0.0.1:${DEFAULT_PORTS[name]}/health/ready`]);
    expect(durationSeconds(hc.interval)).toBeLessThanOrEqual(30);
    expect(Number(hc.retries)).toBeGreaterThanOrEqual(3);
    const shutdownMs = Number(composeEnv(s).SHUTDOWN_TIMEOUT_MS ?? 30_000);
    expect(durationSeconds(s.stop_grace_period)).toBeGreaterThanOrEqual(shutdownMs / 1000 + 5);
  });

  test('start order: everything waits for healthy dependencies; the gateway also for the four services', () => {
    const dependsOn = (name: string): Record<string, unknown> => obj(svc(name).depends_on ?? {}, `${name}.depends_on`);
    for (const name of SERVICE_NAMES) {
      const deps = dependsOn(name);
      const expected = name === 'gateway' ? ['nats', 'redis', 'postgres', 'auth', 'router', 'billing', 'log-writer'] : ['nats', 'redis', 'postgres'];
      expect(Object.keys(deps).sort()).toEqual(expected.sort());
      for (const [dep, cond] of Object.entries(deps)) {
        expect({ name, dep, condition: obj(cond, dep).condition }).toEqual({ name, dep, condition: 'service_healthy' });
        expect({ dep, healthcheck: isObj(svc(dep).healthcheck) }).toEqual({ dep, healthcheck: true });
      }
    }
    // no cycles anywhere in depends_on
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (n: string, trail: string[]): void => {
      if (done.has(n)) return;
      if (visiting.has(n)) throw new Error(`depends_on cycle: ${[...trail, n].join(' → ')}`);
      visiting.add(n);
      const deps = svc(n).depends_on;
      for (const d of Array.isArray(deps) ? deps.map(String) : Object.keys(isObj(deps) ? deps : {})) {
        expect(compose.services[d]).toBeDefined();
        visit(d, [...trail, n]);
      }
      visiting.delete(n);
      done.add(n);
    };
    for (const n of Object.keys(compose.services)) visit(n, []);
  });

  test('dependency URLs point at the compose services: NATS with JetStream, Redis, Postgres', () => {
    const env = composeEnv(svc('auth'));
    const nats = new URL(env.NATS_URL);
    const redis = new URL(env.REDIS_URL);
    const db = new URL(env.DATABASE_URL);
    expect([nats.hostname, nats.port || '4222']).toEqual(['nats', '4222']);
    expect(redis.hostname).toBe('redis');
    expect(db.hostname).toBe('postgres');
    const pg = obj(svc('postgres').environment, 'postgres.environment');
    expect([decodeURIComponent(db.username), decodeURIComponent(db.password), db.pathname.slice(1)]).toEqual([
      pg.POSTGRES_USER,
      pg.POSTGRES_PASSWORD,
      pg.POSTGRES_DB,
    ]);

    const natsCmd = arr(svc('nats').command, 'nats.command').map(String);
    expect(read('deploy/nats/start.sh')).toMatch(/exec nats-server -c "\$\(dirname "\$0"\)\/nats\.conf" -js "\$@"/);
    const storeDir = natsCmd[natsCmd.findIndex((a) => a === '-sd' || a === '--store_dir') + 1];
    const natsVolumes = composeVolumes(svc('nats'));
    expect(natsVolumes.map((v) => v.target)).toContain(storeDir);
    // named volumes are declared
    for (const [name, s] of Object.entries(compose.services)) {
      for (const v of composeVolumes(s)) {
        if (v.source.startsWith('.') || v.source.startsWith('/')) {
          expect({ service: name, hostPath: v.source, exists: fs.existsSync(path.join(ROOT, v.source)) }).toEqual({
            service: name,
            hostPath: v.source,
            exists: true,
          });
        } else {
          expect({ service: name, volume: v.source, declared: v.source in compose.volumes }).toEqual({ service: name, volume: v.source, declared: true });
        }
      }
    }
    for (const dep of ['nats', 'redis', 'postgres']) expect(isObj(svc(dep).healthcheck)).toBe(true);
  });

  test('prometheus gets deploy/prometheus/{prometheus,alerts}.yml and scrapes the five services at their PORTs', () => {
    const prom = svc('prometheus');
    const mounts = new Map(composeVolumes(prom).map((v) => [v.target, v.source]));
    const configArg = arr(prom.command, 'prometheus.command')
      .map(String)
      .find((a) => a.startsWith('--config.file='))!;
    const configPath = configArg.split('=')[1];
    expect(mounts.get(configPath)).toBe('./deploy/prometheus/prometheus.yml');
    const config = obj(parseYaml(read('deploy/prometheus/prometheus.yml'), 'prometheus.yml'), 'prometheus.yml');
    // every rule file is mounted from a file of the repo
    const ruleFiles = arr(config.rule_files, 'rule_files').map(String);
    expect(ruleFiles.length).toBeGreaterThan(0);
    for (const rf of ruleFiles) {
      const source = mounts.get(rf);
      expect({ ruleFile: rf, mountedFrom: source }).toEqual({ ruleFile: rf, mountedFrom: './deploy/prometheus/alerts.yml' });
      expect(fs.existsSync(path.join(ROOT, source!))).toBe(true);
    }
    // targets: compose service name : its PORT, labelled with `service` (the dashboards and alerts group by it)
    const targets = new Map<string, string>();
    for (const job of arr(config.scrape_configs, 'scrape_configs')) {
      const j = obj(job, 'scrape_config');
      if (j.job_name !== 'switchboard') continue;
      expect(j.metrics_path ?? '/metrics').toBe('/metrics');
      for (const sc of arr(j.static_configs, 'static_configs')) {
        const c = obj(sc, 'static_config');
        for (const t of arr(c.targets, 'targets')) targets.set(String(t), String(obj(c.labels, 'labels').service));
      }
    }
    expect(Object.fromEntries(targets)).toEqual(Object.fromEntries(SERVICE_NAMES.map((s) => [`${s}:${DEFAULT_PORTS[s]}`, s])));
  });

  test('grafana gets the provisioning folders and the dashboards where the provider looks', () => {
    const g = svc('grafana');
    const mounts = new Map(composeVolumes(g).map((v) => [v.source, v.target]));
    expect(mounts.get('./deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const provider = obj(
      arr(obj(parseYaml(read('deploy/grafana/provisioning/dashboards/switchboard.yml'), 'dashboards provider'), 'provider').providers, 'providers')[0],
      'provider',
    );
    expect(mounts.get('./deploy/grafana/dashboards')).toBe(obj(provider.options, 'options').path);
    const ds = obj(
      arr(obj(parseYaml(read('deploy/grafana/provisioning/datasources/prometheus.yml'), 'datasource'), 'datasources').datasources, 'datasources')[0],
      'datasource',
    );
    const url = new URL(String(ds.url));
    expect([url.hostname, url.port]).toEqual(['prometheus', '9090']);
    const home = composeEnv(g).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home) expect(fs.existsSync(path.join(ROOT, 'deploy/grafana/dashboards', path.basename(home)))).toBe(true);
  });
});
