import { effectiveSettings, SECRET_SETTINGS } from './effective-settings';
import { loadConfig } from './config';
import { ENV_NAMES } from './env.schema';
import { appVersion } from './version';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ADMIN = 'an-operator-chosen-admin-key-7f3a';
const SECRET = '1ebce5744847a8d198c1ddfa48cc6cbb6b019b11324f0c240dac6c7752849bd4';

describe('effectiveSettings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-settings-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists every variable with its source, and never a secret in clear', () => {
    const env = {
      DATA_DIR: dir,
      ADMIN_KEY: ADMIN,
      SECRET_KEY: SECRET,
      DATABASE_URL: 'postgres://sb:hunter2-db@db.internal:5432/sb?sslmode=require&password=hunter3',
      REDIS_URL: 'rediss://:hunter4@cache:6380',
      NATS_URL: 'nats://nats:4222',
      NATS_USER: 'sb',
      NATS_PASSWORD: 'hunter5-nats-password',
      AIHUBMIX_API_KEY: 'sk-aihubmix-hunter6-xyz9',
      RETRY_BUDGET: '5',
      TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1',
    };
    const rows = effectiveSettings(loadConfig('gateway', env), env);
    expect(rows.map((r) => r.name)).toEqual(ENV_NAMES);
    const text = JSON.stringify(rows);
    for (const s of [ADMIN, SECRET, 'hunter2', 'hunter3', 'hunter4', 'hunter5', 'hunter6']) expect(text).not.toContain(s);
    const by = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(by.ADMIN_KEY).toEqual({ name: 'ADMIN_KEY', value: '****7f3a', source: 'env', secret: true });
    expect(by.DATABASE_URL.value).toBe('postgres://sb:****@db.internal:5432/sb?sslmode=require&password=****');
    expect(by.REDIS_URL.value).toMatch(/^rediss:\/\/:.+@cache:6380$/);
    expect(by.NATS_URL).toMatchObject({ value: 'nats://nats:4222', source: 'env', secret: false });
    expect(by.RETRY_BUDGET).toMatchObject({ value: 5, source: 'env' });
    expect(by.BAN_ERROR_RATE).toMatchObject({ value: 0.5, source: 'default' });
    expect(by.TRUSTED_PROXIES.value).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(by.NATS_TOKEN).toMatchObject({ value: null, secret: true });
  });

  it('marks keys made up at first start as generated', () => {
    const env = { DATA_DIR: dir };
    const by = Object.fromEntries(effectiveSettings(loadConfig('standalone', env), env).map((r) => [r.name, r]));
    expect(by.ADMIN_KEY).toMatchObject({ source: 'generated', secret: true });
    expect(by.SECRET_KEY).toMatchObject({ source: 'generated', secret: true });
    expect(String(by.SECRET_KEY.value)).toMatch(/^\*{4}[0-9a-f]{4}$/);
  });

  it('classifies every credential-looking variable: a new *_KEY/*_TOKEN/*_PASSWORD must be declared secret or a file path', () => {
    const filePaths = ['NATS_CREDS', 'NATS_TLS_CA', 'NATS_TLS_CERT', 'NATS_TLS_KEY', 'REDIS_TLS_CA'];
    const looksSecret = ENV_NAMES.filter((n) => /(KEY|TOKEN|PASSWORD|SEED|SECRET|CREDS)$/.test(n));
    for (const n of looksSecret) expect([n, SECRET_SETTINGS.includes(n) || filePaths.includes(n)]).toEqual([n, true]);
  });
});

describe('appVersion', () => {
  it("is the repository's package.json version", () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    expect(appVersion()).toBe(pkg.version);
  });
});
