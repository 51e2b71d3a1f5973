import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_PORTS, envSchema, type Env, type ServiceName } from './env.schema';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Mode = 'standalone' | 'cluster';

export interface AppConfig extends Omit<Env, 'PORT' | 'ADMIN_KEY' | 'SECRET_KEY'> {
  service: ServiceName | 'standalone';
  mode: Mode;
  PORT: number;
  ADMIN_KEY: string;
  SECRET_KEY: string;
  /** true when ADMIN_KEY was generated during this start (printed once). */
  adminKeyGenerated: boolean;
}

/** Parses the environment; every bad variable is named in one error. */
export function parseEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return result.data;
}

function readOrCreateSecret(dataDir: string, file: string, make: () => string): { value: string; created: boolean } {
  const full = path.join(dataDir, file);
  try {
    const value = fs.readFileSync(full, 'utf8').trim();
    if (value) return { value, created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const value = make();
  try {
    // 'wx': if two processes race on first start, exactly one wins and the other reads its value.
    fs.writeFileSync(full, value + '\n', { mode: 0o600, flag: 'wx' });
    return { value, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { value: fs.readFileSync(full, 'utf8').trim(), created: false };
    throw e;
  }
}

export function loadConfig(service: ServiceName | 'standalone', env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = parseEnv(env);
  const mode: Mode = service === 'standalone' ? 'standalone' : 'cluster';
  if (mode === 'cluster') {
    const missing = (['NATS_URL', 'REDIS_URL', 'DATABASE_URL'] as const).filter((k) => !parsed[k]);
    if (missing.length) throw new ConfigError(missing.map((k) => `${k}: required in cluster mode`));
  }
  const dataDir = path.resolve(parsed.DATA_DIR);
  const admin = parsed.ADMIN_KEY
    ? { value: parsed.ADMIN_KEY, created: false }
    : readOrCreateSecret(dataDir, 'admin.key', () => 'sb-admin-' + randomBytes(24).toString('base64url'));
  const secret = parsed.SECRET_KEY
    ? { value: parsed.SECRET_KEY.toLowerCase(), created: false }
    : readOrCreateSecret(dataDir, 'secret.key', () => randomBytes(32).toString('hex'));
  const port = parsed.PORT ?? DEFAULT_PORTS[service === 'standalone' ? 'gateway' : service];
  return {
    ...parsed,
    DATA_DIR: dataDir,
    service,
    mode,
    PORT: port,
    ADMIN_KEY: admin.value,
    SECRET_KEY: secret.value,
    adminKeyGenerated: admin.created,
  };
}
