import type { AppConfig } from './config';
import { ENV_NAMES } from './env.schema';

/** Variables whose value is a credential: shown as set or unset, with a recognisable tail at most. */
export const SECRET_SETTINGS: readonly string[] = [
  'ADMIN_KEY',
  'SECRET_KEY',
  'NATS_PASSWORD',
  'NATS_TOKEN',
  'NATS_NKEY_SEED',
  'AIHUBMIX_API_KEY',
  'ROOT_PASSWORD',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'OIDC_CLIENT_SECRET',
];
/** Connection URLs: their password (user-info or `password=` parameter) is masked, the rest is shown. */
const URL_SETTINGS: readonly string[] = ['DATABASE_URL', 'REDIS_URL', 'NATS_URL', 'SMTP_URL'];

export interface EffectiveSetting {
  name: string;
  /** the value in use (secrets masked); null when unset */
  value: string | number | boolean | string[] | null;
  /** `env` set by the operator, `default` the built-in value, `generated` made up at first start and kept in DATA_DIR */
  source: 'env' | 'default' | 'generated';
  secret: boolean;
}

/** `GET /api/settings` (the gateway answers it; the console's settings page reads it). */
export interface SettingsView {
  version: string;
  mode: 'standalone' | 'cluster';
  service: string;
  /** Node.js version */
  node: string;
  startedAt: string;
  uptimeSeconds: number;
  settings: EffectiveSetting[];
}

/** `sb-admin-abcdef…` → `…cdef`: enough to tell two keys apart, never enough to use one. */
function maskTail(secret: string): string {
  return secret.length <= 12 ? '****' : `****${secret.slice(-4)}`;
}

function maskUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '****';
    for (const k of [...u.searchParams.keys()]) if (/pass|secret|token/i.test(k)) u.searchParams.set(k, '****');
    return u.toString();
  } catch {
    return '****';
  }
}

/**
 * The configuration this process runs with, for the console's settings page: every variable of the schema, where its
 * value came from, and no secret in clear (a credential shows only its last four characters, a URL loses its password).
 */
export function effectiveSettings(config: AppConfig, env: NodeJS.ProcessEnv = process.env): EffectiveSetting[] {
  const generated = new Set<string>();
  // Not in the environment yet in use: made at first start and read back from DATA_DIR since.
  for (const name of ['ADMIN_KEY', 'SECRET_KEY'] as const) if (!env[name] && config[name]) generated.add(name);
  return ENV_NAMES.map((name) => {
    const raw = (config as unknown as Record<string, unknown>)[name];
    const secret = SECRET_SETTINGS.includes(name);
    const source: EffectiveSetting['source'] = env[name] !== undefined && env[name] !== '' ? 'env' : generated.has(name) ? 'generated' : 'default';
    let value: EffectiveSetting['value'];
    if (typeof raw === 'number' || typeof raw === 'boolean') value = secret ? maskTail(String(raw)) : raw;
    else if (Array.isArray(raw)) value = raw.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
    else if (typeof raw !== 'string' || raw === '') value = null;
    else if (secret) value = maskTail(raw);
    else if (URL_SETTINGS.includes(name)) value = maskUrl(raw);
    else value = raw;
    return { name, value, source, secret };
  });
}
