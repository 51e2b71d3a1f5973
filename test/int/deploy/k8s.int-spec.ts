// deploy/k8s: every manifest validated offline against the Kubernetes schemas (kubernetes-models) plus a strict
// unknown-field check, then cross-checked: entry points, PORT/containerPort/probes, env names and values (through
// the real config loader), security context, graceful shutdown, HPA and PDB targeting the gateway.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../libs/config/src/config';
import {
  COMPOSE_TEST_SECRETS,
  DEFAULT_PORTS,
  ENV_NAMES,
  SERVICE_NAMES,
  ROOT,
  arr,
  at,
  exists,
  isObj,
  k8sFiles,
  loadCompose,
  loadK8s,
  obj,
  parseDockerfile,
  parseYamlDocs,
  read,
  type K8sDoc,
  type Obj,
  type ServiceName,
} from './deploy-files';
import { unknownFields, validateManifest } from './k8s-schema';

const { docs, kustomization } = loadK8s();
const NAMESPACE = 'switchboard';
const find = (kind: string, name: string): K8sDoc => {
  const d = docs.find((x) => x.kind === kind && x.name === name);
  if (!d) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return d;
};
const deployment = (s: ServiceName): Obj => find('Deployment', `switchboard-${s}`).doc;
const podSpec = (d: Obj): Obj => obj(at(d, 'spec.template.spec'), 'pod spec');
const container = (d: Obj): Obj => obj(arr(podSpec(d).containers, 'containers')[0], 'container');
const matches = (selector: Record<string, unknown>, labels: Record<string, unknown>): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);
const podLabels = (d: Obj): Record<string, unknown> => obj(at(d, 'spec.template.metadata.labels'), 'pod labels');

const configMap = obj(find('ConfigMap', 'switchboard-config').doc.data, 'ConfigMap data') as Record<string, string>;

/**
 * The Secrets are not in the repository (no usable default): the operator creates them with deploy/README.md's
 * `kubectl create secret generic <name> --from-literal=KEY=…` commands. Their keys, read from that README, with random
 * values standing in for what openssl would generate.
 */
function documentedSecrets(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const readme = read('deploy/README.md');
  for (const m of readme.matchAll(/create secret generic ([\w-]+)((?:\s*\\\n\s*--from-literal=[^\n\\]*)+)/g)) {
    const keys = [...m[2].matchAll(/--from-literal=(\w+)=/g)].map((k) => k[1]);
    out[m[1]] = Object.fromEntries(keys.map((k) => [k, EXAMPLE_URLS[k] ?? randomBytes(32).toString('hex')]));
  }
  return out;
}
const EXAMPLE_URLS: Record<string, string> = {
  DATABASE_URL: 'postgres://switchboard:pw@postgres:5432/switchboard?sslmode=verify-full',
  REDIS_URL: 'rediss://:pw@redis:6379',
};
const secrets = documentedSecrets();
const secret = (name: string): Record<string, string> => {
  const s = secrets[name];
  if (!s) throw new Error(`deploy/README.md has no \`kubectl create secret generic ${name}\` command`);
  return s;
};

/** What a container's process sees: envFrom (ConfigMap, Secret) then env (wins). */
function containerEnv(c: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of arr(c.envFrom ?? [], 'envFrom')) {
    const f = obj(from, 'envFrom item');
    if (isObj(f.configMapRef)) Object.assign(env, obj(find('ConfigMap', String(f.configMapRef.name)).doc.data, 'data'));
    if (isObj(f.secretRef)) Object.assign(env, secret(String(f.secretRef.name)));
  }
  for (const e of arr(c.env ?? [], 'env')) {
    const v = obj(e, 'env item');
    const ref = isObj(v.valueFrom) && isObj(v.valueFrom.secretKeyRef) ? v.valueFrom.secretKeyRef : undefined;
    if (ref && !(String(ref.key) in secret(String(ref.name)))) throw new Error(`${String(ref.name)} has no key ${String(ref.key)} in deploy/README.md`);
    env[String(v.name)] = ref ? secret(String(ref.name))[String(ref.key)] : String(v.value);
  }
  return env;
}

/** A probe's or Service's port (a number or the name of a container port) as a number. */
function portNumber(c: Obj, port: unknown): number {
  if (typeof port === 'number') return port;
  const named = arr(c.ports, 'ports')
    .map((p) => obj(p, 'port'))
    .find((p) => p.name === port);
  if (!named) throw new Error(`no container port named ${String(port)}`);
  return Number(named.containerPort);
}

describe('deploy/k8s manifests', () => {
  test('kustomization lists every manifest of the folder, in the namespace, with the image to set', () => {
    const files = k8sFiles().filter((f) => f !== 'kustomization.yaml');
    const resources = [...arr(kustomization.resources, 'resources')].map(String);
    expect(resources.filter((r) => !r.startsWith('../')).sort()).toEqual(files.sort());
    // the NATS config's ConfigMap comes from the folder that holds deploy/nats/nats.conf
    expect(resources.filter((r) => r.startsWith('../'))).toEqual(['../nats']);
    expect(kustomization.namespace).toBe(NAMESPACE);
    const images = arr(kustomization.images ?? [], 'images').map((i) => obj(i, 'image'));
    expect(images.map((i) => i.name)).toEqual(['switchboard']);
  });

  test.each(docs.map((d) => [`${d.file}: ${d.kind} ${d.name}`, d] as const))('%s is valid against the Kubernetes schema', (_label, d) => {
    expect(validateManifest(d.doc)).toEqual([]);
    expect(unknownFields(d.doc)).toEqual([]);
    if (d.kind !== 'Namespace') expect(d.namespace).toBe(NAMESPACE);
  });

  test('the schema checks catch what they should (wrong type, missing field, misspelt key)', () => {
    const good = structuredClone(deployment('gateway'));
    expect(validateManifest(good)).toEqual([]);
    const badPort = structuredClone(good);
    obj(arr(container(badPort).ports, 'ports')[0], 'port').containerPort = 'http';
    expect(validateManifest(badPort).join()).toMatch(/containerPort must be integer/);
    const noSelector = structuredClone(good);
    delete obj(noSelector.spec, 'spec').selector;
    expect(validateManifest(noSelector).join()).toMatch(/selector/);
    const typo = structuredClone(good);
    container(typo).readinesProbe = container(typo).readinessProbe;
    expect(unknownFields(typo)).toEqual([expect.stringMatching(/^Deployment\.spec\.template\.spec\.containers\[0\]\.readinesProbe: unknown field/)]);
    expect(validateManifest({ apiVersion: 'v1', kind: 'NoSuchKind' })).toEqual([expect.stringMatching(/no schema/)]);
  });

  test('one Namespace, one ConfigMap, no Secret, NATS, a Deployment and a Service per service, HPA and PDB for the gateway', () => {
    const kinds = docs.map((d) => `${d.kind}/${d.name}`).sort();
    expect(kinds).toEqual(
      [
        `Namespace/${NAMESPACE}`,
        'ConfigMap/switchboard-config',
        'StatefulSet/switchboard-nats',
        'Service/switchboard-nats',
        ...SERVICE_NAMES.flatMap((s) => [`Deployment/switchboard-${s}`, `Service/switchboard-${s}`]),
        'HorizontalPodAutoscaler/switchboard-gateway',
        'PodDisruptionBudget/switchboard-gateway',
      ].sort(),
    );
  });

  test('every container runs the same image as docker-compose.yml (repository and tag)', () => {
    const images = new Set(SERVICE_NAMES.map((s) => String(container(deployment(s)).image)));
    expect(images.size).toBe(1);
    const image = [...images][0];
    const composeImage = String(obj(loadCompose(COMPOSE_TEST_SECRETS).services.gateway, 'gateway').image);
    const tag = (i: string) => i.slice(i.lastIndexOf(':') + 1);
    const repo = (i: string) => i.slice(0, i.lastIndexOf(':'));
    expect(repo(image)).toBe(obj(arr(kustomization.images, 'images')[0], 'image').name);
    expect(tag(image)).toBe(tag(composeImage));
    expect(repo(composeImage)).toBe(repo(image));
  });

  test.each(SERVICE_NAMES.map((s) => [s]))('%s: command, PORT, containerPort, probes, Service and scrape annotations agree', (name) => {
    const d = deployment(name);
    const c = container(d);
    const port = DEFAULT_PORTS[name];
    expect(c.command).toEqual(['node', `dist/apps/${name}/src/main.js`]);
    expect(exists(`apps/${name}/src/main.ts`)).toBe(true);
    expect(arr(c.args ?? [], 'args')).toEqual([]);
    const env = containerEnv(c);
    expect(Number(env.PORT)).toBe(port);
    expect(arr(c.ports, 'ports').map((p) => obj(p, 'port').containerPort)).toEqual([port]);
    const probe = (k: string) => obj(at(c, `${k}.httpGet`), k);
    expect([probe('readinessProbe').path, portNumber(c, probe('readinessProbe').port)]).toEqual(['/health/ready', port]);
    expect([probe('livenessProbe').path, portNumber(c, probe('livenessProbe').port)]).toEqual(['/health/live', port]);
    if (c.startupProbe) expect(portNumber(c, probe('startupProbe').port)).toBe(port);

    const service = find('Service', `switchboard-${name}`).doc;
    const selector = obj(at(service, 'spec.selector'), 'selector');
    expect(matches(selector, podLabels(d))).toBe(true);
    for (const other of SERVICE_NAMES.filter((o) => o !== name)) expect(matches(selector, podLabels(deployment(other)))).toBe(false);
    const sp = obj(arr(at(service, 'spec.ports'), 'service ports')[0], 'service port');
    expect([sp.port, portNumber(c, sp.targetPort)]).toEqual([port, port]);

    expect(matches(obj(at(d, 'spec.selector.matchLabels'), 'matchLabels'), podLabels(d))).toBe(true);
    const annotations = obj(at(d, 'spec.template.metadata.annotations'), 'annotations');
    expect([annotations['prometheus.io/scrape'], annotations['prometheus.io/port'], annotations['prometheus.io/path']]).toEqual([
      'true',
      String(port),
      '/metrics',
    ]);
  });

  test.each(SERVICE_NAMES.map((s) => [s]))('%s: env names are Switchboard settings and the config loader accepts them', (name) => {
    const c = container(deployment(name));
    const env = containerEnv(c);
    for (const k of Object.keys(env)) expect({ variable: k, known: ENV_NAMES.has(k) }).toEqual({ variable: k, known: true });
    for (const from of arr(c.envFrom, 'envFrom')) {
      const f = obj(from, 'envFrom');
      expect(isObj(f.configMapRef) || isObj(f.secretRef)).toBe(true);
      expect(obj(f.configMapRef ?? f.secretRef, 'ref').optional).not.toBe(true);
    }
    const config = loadConfig(name, env);
    expect({ mode: config.mode, port: config.PORT, host: config.HOST }).toEqual({ mode: 'cluster', port: DEFAULT_PORTS[name], host: '0.0.0.0' });
  });

  test('ConfigMap and Secrets: only Switchboard settings; no PORT; keys only in Secrets the operator creates with generated values', () => {
    const app = secret('switchboard-secrets');
    for (const k of [...Object.keys(configMap), ...Object.keys(app)]) expect({ variable: k, known: ENV_NAMES.has(k) }).toEqual({ variable: k, known: true });
    expect(configMap.PORT).toBeUndefined();
    expect(app.PORT).toBeUndefined();
    for (const k of ['ADMIN_KEY', 'SECRET_KEY', 'DATABASE_URL', 'REDIS_URL', 'NATS_PASSWORD']) expect(configMap[k]).toBeUndefined();
    expect(Object.keys(app).sort()).toEqual(['ADMIN_KEY', 'DATABASE_URL', 'REDIS_URL', 'SECRET_KEY']);
    // the README generates the keys rather than printing values to copy
    const readme = read('deploy/README.md');
    expect(readme).toMatch(/--from-literal=SECRET_KEY="\$\(openssl rand -hex 32\)"/);
    expect(readme).toMatch(/--from-literal=ADMIN_KEY="\$\(openssl rand -hex \d+\)"/);
    // one password per NATS user of nats.conf, generated, in a Secret of its own (only the NATS pod sees them all)
    const natsVars = [...read('deploy/nats/nats.conf').matchAll(/password:\s*\$(\w+)/g)].map((m) => m[1]);
    expect(Object.keys(secret('switchboard-nats-users')).sort()).toEqual(natsVars.sort());
    // a letter first (deploy/nats/start.sh refuses anything else: nats-server parses the value)
    for (const v of natsVars) expect(readme).toMatch(new RegExp(`--from-literal=${v}="sb\\$\\(openssl rand -hex \\d+\\)"`));
    for (const k of ['NATS_URL', 'REDIS_URL', 'DATABASE_URL']) expect({ k, set: Boolean(configMap[k] ?? app[k]) }).toEqual({ k, set: true });
  });

  test('NATS: each service connects as its own user with its own password; the server runs deploy/nats/nats.conf', () => {
    for (const name of SERVICE_NAMES) {
      const c = container(deployment(name));
      const env = arr(c.env, 'env').map((e) => obj(e, 'env item'));
      expect(env.find((e) => e.name === 'NATS_USER')?.value).toBe(name);
      expect(
        at(
          env.find((e) => e.name === 'NATS_PASSWORD'),
          'valueFrom.secretKeyRef',
        ),
      ).toEqual({
        name: 'switchboard-nats-users',
        key: `NATS_PASSWORD_${name.toUpperCase().replace(/-/g, '_')}`,
      });
      // no service sees the other services' passwords
      for (const from of arr(c.envFrom, 'envFrom').map((f) => obj(f, 'envFrom')))
        expect(isObj(from.secretRef) ? from.secretRef.name : undefined).not.toBe('switchboard-nats-users');
    }
    const nats = find('StatefulSet', 'switchboard-nats').doc;
    const c = container(nats);
    // the same start script as compose, from the ConfigMap mounted at /etc/nats
    expect(arr(c.command, 'command').map(String).slice(0, 2)).toEqual(['sh', '/etc/nats/start.sh']);
    expect(
      arr(c.volumeMounts, 'mounts')
        .map((m) => obj(m, 'mount'))
        .find((m) => m.name === 'config')?.mountPath,
    ).toBe('/etc/nats');
    expect(arr(c.envFrom, 'envFrom').map((f) => at(f, 'secretRef.name'))).toEqual(['switchboard-nats-users']);
    const natsService = find('Service', 'switchboard-nats').doc;
    expect(matches(obj(at(natsService, 'spec.selector'), 'selector'), podLabels(nats))).toBe(true);
    const url = new URL(configMap.NATS_URL);
    expect([url.hostname, Number(url.port)]).toEqual(['switchboard-nats', Number(at(arr(at(natsService, 'spec.ports'), 'ports')[0], 'port'))]);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'pipe' }).status === 0;
  (kubectl ? test : test.skip)('`kubectl kustomize deploy/k8s` renders nats.conf byte for byte into the ConfigMap the NATS pod mounts', () => {
    const out = spawnSync('kubectl', ['kustomize', 'deploy/k8s'], { cwd: ROOT, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    const rendered = parseYamlDocs(out.stdout, 'kustomize output').map((d) => obj(d, 'doc'));
    const cm = rendered.find((d) => d.kind === 'ConfigMap' && String(at(d, 'metadata.name')).startsWith('switchboard-nats-config'))!;
    expect(obj(cm.data, 'data')['nats.conf']).toBe(read('deploy/nats/nats.conf'));
    expect(obj(cm.data, 'data')['start.sh']).toBe(read('deploy/nats/start.sh'));
    expect(at(cm, 'metadata.namespace')).toBe(NAMESPACE);
    const sts = rendered.find((d) => d.kind === 'StatefulSet')!;
    const volume = arr(at(sts, 'spec.template.spec.volumes'), 'volumes')
      .map((v) => obj(v, 'volume'))
      .find((v) => v.name === 'config')!;
    expect(at(volume, 'configMap.name')).toBe(at(cm, 'metadata.name'));
  });

  test.each(SERVICE_NAMES.map((s) => [s]))('%s: non-root, read-only, no privileges, resources set, DATA_DIR writable', (name) => {
    const d = deployment(name);
    const pod = podSpec(d);
    const c = container(d);
    const dockerUser = parseDockerfile()
      .instructions.filter((i) => i.op === 'USER')
      .pop()!
      .args.split(':')[0];
    const podSc = obj(pod.securityContext, 'pod securityContext');
    expect(podSc.runAsNonRoot).toBe(true);
    expect(String(podSc.runAsUser)).toBe(dockerUser);
    expect(Number(podSc.runAsUser)).toBeGreaterThan(0);
    expect(at(podSc, 'seccompProfile.type')).toBe('RuntimeDefault');
    const sc = obj(c.securityContext, 'container securityContext');
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.privileged ?? false).toBe(false);
    expect(at(sc, 'capabilities.drop')).toEqual(['ALL']);
    for (const kind of ['requests', 'limits']) {
      for (const r of ['cpu', 'memory'])
        expect({ kind, r, set: Boolean(at(c, `resources.${kind}`) && obj(at(c, `resources.${kind}`), kind)[r]) }).toEqual({ kind, r, set: true });
    }
    // a read-only root needs writable mounts for DATA_DIR and /tmp, backed by declared volumes
    const mounts = arr(c.volumeMounts ?? [], 'volumeMounts').map((m) => obj(m, 'mount'));
    const volumes = new Set(arr(pod.volumes ?? [], 'volumes').map((v) => obj(v, 'volume').name));
    for (const m of mounts) expect(volumes.has(m.name)).toBe(true);
    if (sc.readOnlyRootFilesystem === true) {
      const dataDir = containerEnv(c).DATA_DIR;
      expect(mounts.map((m) => m.mountPath)).toEqual(expect.arrayContaining([dataDir, '/tmp']));
    }
  });

  test.each(SERVICE_NAMES.map((s) => [s]))('%s: terminationGracePeriodSeconds ≥ preStop + SHUTDOWN_TIMEOUT_MS/1000 + 5', (name) => {
    const d = deployment(name);
    const c = container(d);
    const shutdownMs = Number(containerEnv(c).SHUTDOWN_TIMEOUT_MS ?? 30_000);
    const preStop = c.lifecycle ? arr(at(c, 'lifecycle.preStop.exec.command'), 'preStop').map(String) : [];
    const preStopSeconds = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    expect(Number(podSpec(d).terminationGracePeriodSeconds)).toBeGreaterThanOrEqual(preStopSeconds + shutdownMs / 1000 + 5);
  });

  test('the HPA scales the gateway Deployment (which leaves its replica count to it) on CPU it requests', () => {
    const hpa = find('HorizontalPodAutoscaler', 'switchboard-gateway').doc;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(at(hpa, 'spec.scaleTargetRef')).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'switchboard-gateway' });
    const min = Number(at(hpa, 'spec.minReplicas'));
    expect(min).toBeGreaterThanOrEqual(2);
    expect(Number(at(hpa, 'spec.maxReplicas'))).toBeGreaterThan(min);
    const gw = deployment('gateway');
    expect(obj(gw.spec, 'spec').replicas).toBeUndefined();
    const metrics = arr(at(hpa, 'spec.metrics'), 'metrics').map((m) => obj(m, 'metric'));
    for (const m of metrics.filter((x) => x.type === 'Resource')) {
      const resource = String(at(m, 'resource.name'));
      expect(at(container(gw), `resources.requests.${resource}`)).toBeDefined();
    }
  });

  test('the PDB selects exactly the gateway pods and leaves room to evict one', () => {
    const pdb = find('PodDisruptionBudget', 'switchboard-gateway').doc;
    const selector = obj(at(pdb, 'spec.selector.matchLabels'), 'pdb selector');
    expect(matches(selector, podLabels(deployment('gateway')))).toBe(true);
    for (const other of SERVICE_NAMES.filter((s) => s !== 'gateway')) expect(matches(selector, podLabels(deployment(other)))).toBe(false);
    const minAvailable = obj(pdb.spec, 'spec').minAvailable;
    const hpaMin = Number(at(find('HorizontalPodAutoscaler', 'switchboard-gateway').doc, 'spec.minReplicas'));
    if (typeof minAvailable === 'number') expect(minAvailable).toBeLessThan(hpaMin);
    else expect(obj(pdb.spec, 'spec').maxUnavailable).toBeDefined();
  });
});
