// Loaders for the deployment files (deploy/**, docker-compose.yml, .dockerignore), shared by the deploy suites.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { DEFAULT_PORTS, SERVICE_NAMES, envSchema, type ServiceName } from '../../../libs/config/src/env.schema';

export const ROOT = path.resolve(__dirname, '../../..');
export const DEPLOY = path.join(ROOT, 'deploy');
export { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName };

/** Every variable the services read (SPEC §3), from the zod schema itself. */
export const ENV_NAMES: ReadonlySet<string> = new Set(Object.keys(envSchema.shape));

export type Obj = Record<string, unknown>;

export const read = (rel: string): string => fs.readFileSync(path.join(ROOT, rel), 'utf8');
export const exists = (rel: string): boolean => fs.existsSync(path.join(ROOT, rel));

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function obj(v: unknown, what: string): Obj {
  if (!isObj(v)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(v)}`);
  return v;
}
export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected a list, got ${JSON.stringify(v)}`);
  return v;
}
/** Follows a dotted path (`spec.template.spec`), failing with the path when a step is missing. */
export function at(root: unknown, dotted: string): unknown {
  let cur: unknown = root;
  for (const key of dotted.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(key)) cur = cur[Number(key)];
    else if (isObj(cur)) cur = cur[key];
    else throw new Error(`${dotted}: "${key}" is not reachable`);
  }
  return cur;
}

/** Parses one YAML document strictly (YAML 1.1 merge keys on, as Compose reads them); any error fails. */
export function parseYaml(text: string, what: string): unknown {
  const doc = YAML.parseDocument(text, { merge: true, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw new Error(`${what}: ${doc.errors.map((e) => e.message).join('\n')}`);
  if (doc.warnings.length) throw new Error(`${what}: ${doc.warnings.map((e) => e.message).join('\n')}`);
  return doc.toJS();
}
export function parseYamlDocs(text: string, what: string): unknown[] {
  const parsed = YAML.parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  return [...parsed]
    .map((doc, i) => {
      if (doc.errors.length) throw new Error(`${what} #${i}: ${doc.errors.map((e) => e.message).join('\n')}`);
      return doc.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

// ---------------------------------------------------------------------------------------------- docker compose

/**
 * Compose variable interpolation (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`,
 * `$VAR`, `$$`) against `env`: what `docker compose config` does before reading the file.
 */
export function interpolateCompose(text: string, env: Record<string, string | undefined> = {}): string {
  return text.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^}])*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (m, dollar, name, op, arg, bare) => {
    if (dollar === '$') return '$';
    if (bare) return env[bare] ?? '';
    const value = env[name as string];
    const unsetOrEmpty = value === undefined || value === '';
    switch (op) {
      case ':-':
        return unsetOrEmpty ? arg : value;
      case '-':
        return value === undefined ? arg : value;
      case ':?':
      case '?':
        if (op === ':?' ? unsetOrEmpty : value === undefined) throw new Error(`compose: required variable ${name} is missing: ${arg}`);
        return value as string;
      default:
        return value ?? '';
    }
  });
}

/** What deploy/README.md's one command writes to .env: every secret docker-compose.yml requires (random values). */
export const COMPOSE_TEST_SECRETS: Record<string, string> = {
  ADMIN_KEY: 'c0b8e2f7a91d4e36b5f08a2d7c4e19f3a6b2d8e0c5f7a1b3',
  SECRET_KEY: '8d2f6a1c9e4b7d3f0a5c8e2b6d9f1a4c7e0b3d6f9a2c5e8b1d4f7a0c3e6b9d2f',
  POSTGRES_PASSWORD: '5e9a2c7f1b4d8e3a6c0f9b2e5d8a1c4f',
  REDIS_PASSWORD: 'a3f8c1e6b9d2f5a8c3e6b1d4f7a0c9e2',
  GRAFANA_ADMIN_PASSWORD: '7b2e9d4a1f6c8e3b5d0a7c2f',
  NATS_PASSWORD_GATEWAY: 'sb1f4a7d0c3e6b9f2a5d8c1e4b7a0d3f6c',
  NATS_PASSWORD_AUTH: 'sb2a5d8f1c4e7b0a3d6f9c2e5b8d1a4f7c',
  NATS_PASSWORD_ROUTER: 'sb3b6e9a2d5f8c1b4e7a0d3c6f9b2e5a8d',
  NATS_PASSWORD_BILLING: 'sb4c7f0b3e6a9d2c5f8b1e4a7d0c3f6b9e',
  NATS_PASSWORD_LOG_WRITER: 'sb5d8a1c4f7b0e3d6a9c2f5b8e1d4a7c0f',
};

export interface Compose {
  raw: string;
  services: Record<string, Obj>;
  volumes: Obj;
  root: Obj;
}
export function loadCompose(env: Record<string, string | undefined> = {}): Compose {
  const raw = read('docker-compose.yml');
  // Like compose-go: parse first, then interpolate the string values (a default such as 000… stays a string).
  const interpolate = (v: unknown): unknown =>
    typeof v === 'string'
      ? interpolateCompose(v, env)
      : Array.isArray(v)
        ? v.map(interpolate)
        : isObj(v)
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x)]))
          : v;
  const root = obj(interpolate(parseYaml(raw, 'docker-compose.yml')), 'docker-compose.yml');
  const services = obj(root.services, 'services') as Record<string, Obj>;
  return { raw, services, volumes: isObj(root.volumes) ? root.volumes : {}, root };
}

/** A service's `environment` as a map (Compose accepts a map or a list of `K=V`). */
export function composeEnv(service: Obj): Record<string, string> {
  const env = service.environment;
  const out: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const item of env) {
      const s = String(item);
      const i = s.indexOf('=');
      out[i < 0 ? s : s.slice(0, i)] = i < 0 ? '' : s.slice(i + 1);
    }
  } else if (isObj(env)) {
    for (const [k, v] of Object.entries(env)) out[k] = v === null ? '' : String(v);
  }
  return out;
}

/** Compose durations (`35s`, `1m30s`, `500ms`) in seconds. */
export function durationSeconds(v: unknown): number {
  const s = String(v);
  const re = /(\d+(?:\.\d+)?)(ms|us|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const m of s.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : m[2] === 'ms' ? n / 1000 : n / 1e6;
    matched += m[0];
  }
  if (!matched || matched !== s) throw new Error(`not a duration: ${s}`);
  return total;
}

/** Long or short volume syntax → { source, target }. */
export function composeVolumes(service: Obj): { source: string; target: string; readOnly: boolean }[] {
  return (Array.isArray(service.volumes) ? service.volumes : []).map((v) => {
    if (isObj(v)) return { source: String(v.source ?? ''), target: String(v.target), readOnly: v.read_only === true };
    const [source, target, mode] = String(v).split(':');
    return { source: source, target: target, readOnly: (mode ?? '').split(',').includes('ro') };
  });
}

// ---------------------------------------------------------------------------------------------- kubernetes

export interface K8sDoc {
  file: string;
  doc: Obj;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
}
export const K8S_DIR = 'deploy/k8s';
export function k8sFiles(): string[] {
  return fs
    .readdirSync(path.join(ROOT, K8S_DIR))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}
export function loadK8s(): { docs: K8sDoc[]; kustomization: Obj } {
  const docs: K8sDoc[] = [];
  let kustomization: Obj | undefined;
  for (const f of k8sFiles()) {
    for (const d of parseYamlDocs(read(`${K8S_DIR}/${f}`), f)) {
      const doc = obj(d, f);
      if (doc.kind === 'Kustomization') {
        kustomization = doc;
        continue;
      }
      const meta = obj(doc.metadata, `${f} metadata`);
      docs.push({
        file: f,
        doc,
        apiVersion: String(doc.apiVersion),
        kind: String(doc.kind),
        name: String(meta.name),
        namespace: meta.namespace === undefined ? undefined : String(meta.namespace),
      });
    }
  }
  if (!kustomization) throw new Error('deploy/k8s has no kustomization.yaml');
  return { docs, kustomization };
}

// ---------------------------------------------------------------------------------------------- Dockerfile

export interface DockerInstruction {
  op: string;
  args: string;
  stage: number;
}
/** Instructions of deploy/Dockerfile with line continuations joined and ARG defaults substituted in FROM. */
export function parseDockerfile(text = read('deploy/Dockerfile')): { instructions: DockerInstruction[]; stages: string[] } {
  const lines = text.split('\n');
  const logical: string[] = [];
  let cur = '';
  for (const line of lines) {
    if (/^\s*#/.test(line)) continue; // comments (and parser directives), also inside a continued instruction
    if (/\\\s*$/.test(line)) {
      cur += line.replace(/\\\s*$/, ' ');
      continue;
    }
    cur += line;
    if (cur.trim()) logical.push(cur.trim());
    cur = '';
  }
  if (cur.trim()) logical.push(cur.trim());
  const args: Record<string, string> = {};
  const instructions: DockerInstruction[] = [];
  const stages: string[] = [];
  let stage = -1;
  for (const l of logical) {
    const m = /^([A-Za-z]+)\s+([\s\S]*)$/.exec(l);
    if (!m) throw new Error(`Dockerfile: cannot parse "${l}"`);
    const op = m[1].toUpperCase();
    let rest = m[2].trim();
    if (op === 'ARG' && stage === -1) {
      const [k, v] = rest.split('=');
      args[k.trim()] = (v ?? '').trim();
    }
    if (op === 'FROM') {
      rest = rest.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, k: string) => args[k] ?? '');
      stage++;
      stages.push(rest);
    }
    instructions.push({ op, args: rest, stage });
  }
  return { instructions, stages };
}

/** Minimal .dockerignore semantics: patterns relative to the context root, `*`, `**`, `!` re-includes, last match wins. */
export function dockerIgnored(rel: string, ignoreText = read('.dockerignore')): boolean {
  const rules = ignoreText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pat = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      const re = new RegExp(
        '^' +
          pat
            .split('')
            .map((c, i, a) => (c === '*' ? (a[i + 1] === '*' ? '\u0000' : '[^/]*') : c === '?' ? '[^/]' : /[.+^${}()|[\]\\]/.test(c) ? '\\' + c : c))
            .join('')
            // eslint-disable-next-line no-control-regex -- \u0000 is the marker for `**` put in two lines above
            .replace(/\u0000\[\^\/\]\*\/?/g, '(?:.*/)?')
            // eslint-disable-next-line no-control-regex -- the same marker
            .replace(/\u0000/g, '.*') +
          '(?:/.*)?$',
      );
      return { negate, re };
    });
  let ignored = false;
  for (const r of rules) if (r.re.test(rel)) ignored = !r.negate;
  return ignored;
}

// ---------------------------------------------------------------------------------------------- monitoring

export interface Dashboard {
  file: string;
  json: Obj;
}
export const DASHBOARD_DIR = 'deploy/grafana/dashboards';
export function loadDashboards(): Dashboard[] {
  return fs
    .readdirSync(path.join(ROOT, DASHBOARD_DIR))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: obj(JSON.parse(read(`${DASHBOARD_DIR}/${file}`)), file) }));
}
/** Panels, with the panels nested in collapsed rows. */
export function dashboardPanels(d: Dashboard): Obj[] {
  const out: Obj[] = [];
  for (const p of arr(d.json.panels ?? [], `${d.file} panels`)) {
    const panel = obj(p, `${d.file} panel`);
    out.push(panel);
    if (Array.isArray(panel.panels)) for (const c of panel.panels) out.push(obj(c, `${d.file} row child`));
  }
  return out;
}
export interface PanelQuery {
  where: string;
  expr: string;
  /** a Grafana variable query (label_values(…)) rather than PromQL */
  variable: boolean;
}
export function dashboardQueries(d: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const p of dashboardPanels(d)) {
    for (const t of Array.isArray(p.targets) ? p.targets : []) {
      const target = obj(t, `${d.file} target`);
      out.push({ where: `${d.file} › ${String(p.title)} › ${String(target.refId)}`, expr: String(target.expr ?? ''), variable: false });
    }
  }
  const templating = isObj(d.json.templating) && Array.isArray(d.json.templating.list) ? d.json.templating.list : [];
  for (const v of templating) {
    const variable = obj(v, `${d.file} variable`);
    if (variable.type !== 'query') continue;
    const q = isObj(variable.query) ? variable.query.query : variable.query;
    out.push({ where: `${d.file} › variable $${String(variable.name)}`, expr: String(q ?? ''), variable: true });
  }
  return out;
}

export interface AlertRule {
  group: string;
  rule: Obj;
  name: string;
  expr: string;
}
export function loadAlertRules(rel = 'deploy/prometheus/alerts.yml'): AlertRule[] {
  const root = obj(parseYaml(read(rel), rel), rel);
  const out: AlertRule[] = [];
  for (const g of arr(root.groups, `${rel} groups`)) {
    const group = obj(g, 'group');
    for (const r of arr(group.rules, `group ${String(group.name)} rules`)) {
      const rule = obj(r, 'rule');
      out.push({ group: String(group.name), rule, name: String(rule.alert ?? rule.record), expr: String(rule.expr ?? '') });
    }
  }
  return out;
}
