import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, ensureDataDir, loadConfig, parseEnv, redisConnectionOptions } from './config';

const problems = (env: NodeJS.ProcessEnv): string[] => {
  try {
    parseEnv(env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
};
const RANDOM_SECRET = '3f9c1e0a7b5d42c8e6f1a9b3d0c7e5f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4';
const CLUSTER_URLS = { NATS_URL: 'nats://127.0.0.1:4222', REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://localhost/x' };

describe('config', () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cfg-'));

  it('applies SPEC defaults', () => {
    const env = parseEnv({});
    expect(env.HOST).toBe('127.0.0.1');
    expect(env.MAX_BODY_BYTES).toBe(10485760);
    expect(env.MAX_JSON_DEPTH).toBe(128);
    expect(env.UPSTREAM_FIRST_BYTE_TIMEOUT_MS).toBe(120000);
    expect(env.UNPRICED_MODEL_POLICY).toBe('reject');
  });

  it('reads GATEWAY_WORKERS as a count of relay workers: 1 by default, auto = the available cores', () => {
    expect(parseEnv({}).GATEWAY_WORKERS).toBe(1);
    expect(parseEnv({ GATEWAY_WORKERS: '' }).GATEWAY_WORKERS).toBe(1);
    expect(parseEnv({ GATEWAY_WORKERS: ' 4 ' }).GATEWAY_WORKERS).toBe(4);
    expect(parseEnv({ GATEWAY_WORKERS: 'auto' }).GATEWAY_WORKERS).toBe(os.availableParallelism());
    for (const bad of ['0', '-1', '1.5', 'two', '257', '0x2']) {
      expect(() => parseEnv({ GATEWAY_WORKERS: bad })).toThrow(/GATEWAY_WORKERS: must be an integer from 1 to 256, or auto/);
    }
  });

  it('names every bad variable in one error', () => {
    let err: unknown;
    try {
      parseEnv({ PORT: 'abc', SECRET_KEY: 'short', UNPRICED_MODEL_POLICY: 'maybe', REDIS_URL: 'http://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ['PORT', 'SECRET_KEY', 'UNPRICED_MODEL_POLICY', 'REDIS_URL']) expect(msg).toContain(name);
  });

  it('generates the admin key and secret once and keeps them', () => {
    const d = dir();
    const a = loadConfig('standalone', { DATA_DIR: d });
    expect(a.adminKeyGenerated).toBe(true);
    expect(a.SECRET_KEY).toMatch(/^[0-9a-f]{64}$/);
    const b = loadConfig('standalone', { DATA_DIR: d });
    expect(b.adminKeyGenerated).toBe(false);
    expect(b.ADMIN_KEY).toBe(a.ADMIN_KEY);
    expect(b.SECRET_KEY).toBe(a.SECRET_KEY);
  });

  it('requires the three URLs in cluster mode and picks the service port', () => {
    expect(() => loadConfig('auth', { DATA_DIR: dir() })).toThrow(/NATS_URL.*\n.*REDIS_URL.*\n.*DATABASE_URL/s);
    const c = loadConfig('router', { DATA_DIR: dir(), ...CLUSTER_URLS, ADMIN_KEY: 'sb-admin-Zq8vR2kLx0pW4tYb', SECRET_KEY: RANDOM_SECRET });
    expect(c.PORT).toBe(3002);
    expect(c.mode).toBe('cluster');
  });

  it('requires ADMIN_KEY and SECRET_KEY in cluster mode and whenever a shared store is set (no key of its own per process)', () => {
    const d = dir();
    expect(() => loadConfig('router', { DATA_DIR: d, ...CLUSTER_URLS })).toThrow(/ADMIN_KEY: required.*\n.*SECRET_KEY: required/s);
    expect(() => loadConfig('gateway', { DATA_DIR: d, ...CLUSTER_URLS, ADMIN_KEY: 'sb-admin-Zq8vR2kLx0pW4tYb' })).toThrow(/SECRET_KEY: required/);
    expect(() => loadConfig('standalone', { DATA_DIR: d, DATABASE_URL: 'postgres://localhost/x' })).toThrow(/ADMIN_KEY: required/);
    // and it made up nothing on the way
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it.each([
    ['the compose placeholder', 'change-me-admin-key-0123456789'],
    ['the k8s Secret placeholder', 'CHANGE-ME-admin-key-at-least-16-chars'],
    ['a common word with digits', 'password1234567890'],
    ['common words only', 'admin-secret-password'],
    ['one repeated character', 'xxxxxxxxxxxxxxxxxxxx'],
    ['a short repeated pattern', 'abababababababababab'],
  ])('refuses %s as ADMIN_KEY', (_what, value) => {
    const msg = problems({ ADMIN_KEY: value }).join('\n');
    expect(msg).toMatch(/^ADMIN_KEY: is (a placeholder|too weak)/);
    expect(msg).toContain('openssl rand');
  });

  it.each([
    ['all zeros (compose and k8s placeholder)', '0'.repeat(64), /all zeros/],
    ['one repeated byte', 'ab'.repeat(32), /too weak/],
    ['a repeated 8-byte pattern', '0123456789abcdef'.repeat(4), /too weak/],
  ])('refuses %s as SECRET_KEY', (_what, value, why) => {
    expect(problems({ SECRET_KEY: value }).join('\n')).toMatch(new RegExp(`^SECRET_KEY: is ${why.source}`));
  });

  it('accepts random keys (and generated ones pass the same checks)', () => {
    expect(problems({ ADMIN_KEY: 'sb-admin-Zq8vR2kLx0pW4tYb', SECRET_KEY: RANDOM_SECRET })).toEqual([]);
    expect(problems({ ADMIN_KEY: 'sb-test-admin-key-0123456789' })).toEqual([]);
    const generated = loadConfig('standalone', { DATA_DIR: dir() });
    expect(problems({ ADMIN_KEY: generated.ADMIN_KEY, SECRET_KEY: generated.SECRET_KEY })).toEqual([]);
  });

  it('checks NATS credentials and TLS files, naming every bad variable at once', () => {
    const msg = problems({
      NATS_USER: 'gateway',
      NATS_TOKEN: 't0k3n',
      NATS_CREDS: '/nonexistent/gateway.creds',
      NATS_NKEY_SEED: 'not-a-seed',
      NATS_TLS_CERT: __filename,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_TLS_CA: __filename,
      PORT: 'abc',
    }).join('\n');
    for (const line of [
      /^PORT:/m,
      /^NATS_PASSWORD: required with NATS_USER/m,
      /^NATS_TOKEN: set one NATS authentication only/m,
      /^NATS_CREDS: file not found/m,
      /^NATS_NKEY_SEED: must be a user nkey seed/m,
      /^NATS_TLS_KEY: required with NATS_TLS_CERT/m,
      /^REDIS_TLS_CA: needs a rediss:\/\/ REDIS_URL/m,
    ])
      expect(msg).toMatch(line);
    expect(problems({ NATS_USER: 'gateway', NATS_PASSWORD: 'pw', NATS_TLS_CA: __filename, NATS_TLS_CERT: __filename, NATS_TLS_KEY: __filename })).toEqual([]);
  });

  it('gives ioredis the CA of REDIS_TLS_CA', () => {
    expect(redisConnectionOptions({ REDIS_TLS_CA: undefined })).toEqual({});
    expect(redisConnectionOptions({ REDIS_TLS_CA: __filename }).tls?.ca.toString()).toBe(fs.readFileSync(__filename, 'utf8'));
  });

  it('creates DATA_DIR for this user only (0700) and the generated keys 0600, whatever the umask', () => {
    const parent = dir();
    const old = process.umask(0);
    try {
      const d = path.join(parent, 'nested', 'data');
      ensureDataDir(d);
      expect(fs.statSync(d).mode & 0o777).toBe(0o700);
      const d2 = path.join(parent, 'generated');
      loadConfig('standalone', { DATA_DIR: d2 });
      expect(fs.statSync(d2).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(d2, 'admin.key')).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.join(d2, 'secret.key')).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('reports an admin key file that other users can read', () => {
    const d = dir();
    expect(loadConfig('standalone', { DATA_DIR: d }).adminKeyFileExposed).toBeUndefined();
    fs.chmodSync(path.join(d, 'admin.key'), 0o644);
    expect(loadConfig('standalone', { DATA_DIR: d }).adminKeyFileExposed).toMatch(/admin\.key is readable by other users \(mode 0644\)/);
  });
});
