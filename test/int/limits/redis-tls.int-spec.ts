// Redis over TLS (`rediss://`, REDIS_TLS_CA) with a password, on a redis-server of the test's own: the limit and
// health stores, the two Redis clients every service creates, connect only with the CA they were given.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { redisConnectionOptions } from '@switchboard/config';
import { createHealthStore } from '@switchboard/health';
import { createLimitStore } from '@switchboard/limits';
import { freePort } from '../../support/harness';
import { makeTestPki, opensslAvailable, type TestPki } from '../../support/tls-certs';

jest.setTimeout(60_000);

const redisTls = spawnSync('redis-server', ['--version']).status === 0 && opensslAvailable();
if (!redisTls && process.env.CI === 'true') throw new Error('redis-server and openssl are required with CI=true');
const describeTls = redisTls ? describe : describe.skip;

describeTls('Redis with TLS and a password', () => {
  let pki: TestPki;
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    pki = makeTestPki();
    const port = await freePort();
    server = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--requirepass',
        'r3dis-pw',
        '--tls-cert-file',
        pki.serverCert,
        '--tls-key-file',
        pki.serverKey,
        '--tls-ca-cert-file',
        pki.ca,
        '--tls-auth-clients',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      server.once('close', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
    url = `rediss://:r3dis-pw@127.0.0.1:${port}`;
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const closed = new Promise((r) => server.once('close', r));
      server.kill('SIGTERM');
      await closed;
    }
    pki?.remove();
  });

  it('the limit store and the health store work over rediss:// with REDIS_TLS_CA', async () => {
    const options = redisConnectionOptions({ REDIS_TLS_CA: pki.ca });
    const limits = createLimitStore(url, options);
    const health = createHealthStore(url, undefined, options);
    try {
      await limits.setRemaining('tls-check', 1234);
      expect(await limits.getRemaining('tls-check')).toBe(1234);
      expect(await health.bans()).toEqual([]);
    } finally {
      await limits.close();
      await health.close();
    }
  });

  it('without the CA the server certificate is refused; with a wrong password nothing is answered', async () => {
    const noCa = createLimitStore(url);
    const badPassword = createLimitStore(url.replace('r3dis-pw', 'wrong'), redisConnectionOptions({ REDIS_TLS_CA: pki.ca }));
    try {
      await expect(noCa.getRemaining('tls-check')).rejects.toThrow();
      await expect(badPassword.getRemaining('tls-check')).rejects.toThrow();
    } finally {
      await noCa.close();
      await badPassword.close();
    }
  });
});
