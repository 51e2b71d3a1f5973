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
  /** set when DATA_DIR/admin.key can be read by other users of this machine (logged as a warning at start) */
  adminKeyFileExposed?: string;
}

/** Shared stores (any of these set): every process must hold the same keys, so none may make up its own. */
const SHARED_STORE_VARS = ['NATS_URL', 'REDIS_URL', 'DATABASE_URL'] as const;

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
  ensureDataDir(dataDir);
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

/**
 * DATA_DIR holds the embedded database, the usage spool and the generated keys: only this user may enter it. An
 * existing directory is left as it is (an operator may have chosen its mode).
 */
export function ensureDataDir(dataDir: string): void {
  if (fs.existsSync(dataDir)) return;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask; a umask of 0 would still leave it open.
  fs.chmodSync(dataDir, 0o700);
}

/** The admin key file's mode when group or others may read it (a copied or restored file), else undefined. */
function exposedKeyFile(file: string): string | undefined {
  try {
    const mode = fs.statSync(file).mode & 0o777;
    return mode & 0o077 ? `${file} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 on it` : undefined;
  } catch {
    return undefined;
  }
}

export function loadConfig(service: ServiceName | 'standalone', env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = parseEnv(env);
  const mode: Mode = service === 'standalone' ? 'standalone' : 'cluster';
  if (mode === 'cluster') {
    const missing = (['NATS_URL', 'REDIS_URL', 'DATABASE_URL'] as const).filter((k) => !parsed[k]);
    if (missing.length) throw new ConfigError(missing.map((k) => `${k}: required in cluster mode`));
  }
  if (mode === 'cluster' || SHARED_STORE_VARS.some((k) => parsed[k])) {
    const missing = (['ADMIN_KEY', 'SECRET_KEY'] as const).filter((k) => !parsed[k]);
    const why = 'required when NATS_URL, REDIS_URL or DATABASE_URL is set (every process must share it; generate with `openssl rand -hex 32`)';
    if (missing.length) throw new ConfigError(missing.map((k) => `${k}: ${why}`));
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
    adminKeyFileExposed: parsed.ADMIN_KEY ? undefined : exposedKeyFile(path.join(dataDir, 'admin.key')),
  };
}

/**
 * ioredis options beyond REDIS_URL (which carries the password and, as `rediss://`, TLS): the CA of REDIS_TLS_CA
 * when the server's certificate is not signed by a public CA. Read once at start.
 */
export function redisConnectionOptions(config: Pick<AppConfig, 'REDIS_TLS_CA'>): { tls?: { ca: Buffer } } {
  return config.REDIS_TLS_CA ? { tls: { ca: fs.readFileSync(config.REDIS_TLS_CA) } } : {};
}
