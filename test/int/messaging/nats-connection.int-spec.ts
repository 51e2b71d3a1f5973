// SPEC §8 NATS settings on a real nats-server: TLS with a private CA, client certificates, token and nkey
// authentication, through natsConnectionOptions, which every NATS connection of a service uses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, nkeys } from 'nats';
import { natsConnectionOptions, type NatsSettings } from '@switchboard/messaging';
import { requireNatsServer, startPrivateNats, type PrivateNats } from '../../support/nats-server';
import { makeTestPki, opensslAvailable, type TestPki } from '../../support/tls-certs';

jest.setTimeout(60_000);

const describeNats = requireNatsServer() && opensslAvailable() ? describe : describe.skip;

describeNats('NATS connection settings against a real nats-server', () => {
  let pki: TestPki;
  const servers: PrivateNats[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-nats-conf-'));
  const conf = (name: string, text: string) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const start = async (config: string, args: string[] = []) => {
    const s = await startPrivateNats(config, args);
    servers.push(s);
    return s;
  };
  const tryConnect = async (settings: NatsSettings) => {
    const nc = await connect({ ...natsConnectionOptions(settings, 'gateway'), timeout: 3_000, reconnect: false });
    await nc.flush();
    await nc.close();
  };

  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    pki?.remove();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('TLS: connects with NATS_TLS_CA (server signed by a private CA); without it the certificate is refused', async () => {
    const s = await start(conf('tls.conf', 'authorization { token: "t0k3n-tls" }\n'), ['--tls', '--tlscert', pki.serverCert, '--tlskey', pki.serverKey]);
    await expect(tryConnect({ NATS_URL: s.url, NATS_TOKEN: 't0k3n-tls', NATS_TLS_CA: pki.ca })).resolves.toBeUndefined();
    await expect(tryConnect({ NATS_URL: s.url, NATS_TOKEN: 't0k3n-tls' })).rejects.toThrow();
    // tls:// asks for TLS even when no CA is given (and still verifies against the system CAs)
    await expect(tryConnect({ NATS_URL: s.url.replace('nats://', 'tls://'), NATS_TOKEN: 't0k3n-tls', NATS_TLS_CA: pki.ca })).resolves.toBeUndefined();
  });

  it('mutual TLS: NATS_TLS_CERT + NATS_TLS_KEY present the client certificate the server requires', async () => {
    const s = await start(conf('mtls.conf', 'authorization { token: "t0k3n-mtls" }\n'), [
      '--tlsverify',
      '--tlscert',
      pki.serverCert,
      '--tlskey',
      pki.serverKey,
      '--tlscacert',
      pki.ca,
    ]);
    const base = { NATS_URL: s.url, NATS_TOKEN: 't0k3n-mtls', NATS_TLS_CA: pki.ca };
    await expect(tryConnect({ ...base, NATS_TLS_CERT: pki.clientCert, NATS_TLS_KEY: pki.clientKey })).resolves.toBeUndefined();
    await expect(tryConnect(base)).rejects.toThrow();
  });

  it('NATS_TOKEN and NATS_NKEY_SEED authenticate; a wrong token or another seed is refused', async () => {
    const user = nkeys.createUser();
    const stranger = nkeys.createUser();
    const seed = new TextDecoder().decode(user.getSeed());
    const s = await start(conf('nkey.conf', `authorization { users = [ { nkey: ${user.getPublicKey()} } ] }\n`));
    await expect(tryConnect({ NATS_URL: s.url, NATS_NKEY_SEED: seed })).resolves.toBeUndefined();
    await expect(tryConnect({ NATS_URL: s.url, NATS_NKEY_SEED: new TextDecoder().decode(stranger.getSeed()) })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
    const t = await start(conf('token.conf', 'authorization { token: "s3cr3t-t0k3n" }\n'));
    await expect(tryConnect({ NATS_URL: t.url, NATS_TOKEN: 's3cr3t-t0k3n' })).resolves.toBeUndefined();
    await expect(tryConnect({ NATS_URL: t.url, NATS_TOKEN: 'wrong' })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });
});
