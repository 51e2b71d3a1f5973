import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, parseEnv } from './config';

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
    const c = loadConfig('router', {
      DATA_DIR: dir(),
      NATS_URL: 'nats://127.0.0.1:4222',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATABASE_URL: 'postgres://localhost/x',
    });
    expect(c.PORT).toBe(3002);
    expect(c.mode).toBe('cluster');
  });
});
