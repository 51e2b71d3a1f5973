import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nkeys } from 'nats';
import { natsConnectionOptions } from './nats-connection';

describe('natsConnectionOptions', () => {
  const URL = 'nats://127.0.0.1:4222';

  it('gives each service its own inbox prefix and nothing else without credentials', () => {
    expect(natsConnectionOptions({ NATS_URL: URL }, 'log-writer')).toEqual({ servers: [URL], inboxPrefix: '_INBOX_log-writer' });
  });

  it('user + password, token, TLS files', () => {
    const o = natsConnectionOptions(
      { NATS_URL: URL, NATS_USER: 'auth', NATS_PASSWORD: 'pw', NATS_TLS_CA: '/ca', NATS_TLS_CERT: '/c', NATS_TLS_KEY: '/k' },
      'auth',
    );
    expect(o).toMatchObject({ user: 'auth', pass: 'pw', tls: { caFile: '/ca', certFile: '/c', keyFile: '/k' } });
    expect(natsConnectionOptions({ NATS_URL: URL, NATS_TOKEN: 't' }, 'auth')).toMatchObject({ token: 't' });
    expect(natsConnectionOptions({ NATS_URL: 'tls://nats:4222' }, 'auth').tls).toEqual({});
  });

  it('NATS_CREDS: the creds file is read at every (re)connect, so a rotated file is used without a restart', () => {
    const user = nkeys.createUser();
    const seed = new TextDecoder().decode(user.getSeed());
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sb-creds-')), 'svc.creds');
    const creds = (jwt: string) =>
      `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;
    fs.writeFileSync(file, creds('eyJhbGciOiJlZDI1NTE5In0.first.sig'));
    const auth = natsConnectionOptions({ NATS_URL: URL, NATS_CREDS: file }, 'billing').authenticator as (nonce?: string) => {
      jwt: string;
      nkey: string;
      sig: string;
    };
    expect(auth('nonce-1')).toMatchObject({ jwt: 'eyJhbGciOiJlZDI1NTE5In0.first.sig', nkey: user.getPublicKey() });
    fs.writeFileSync(file, creds('eyJhbGciOiJlZDI1NTE5In0.rotated.sig'));
    expect(auth('nonce-2').jwt).toBe('eyJhbGciOiJlZDI1NTE5In0.rotated.sig');
  });

  it('NATS_NKEY_SEED signs the server nonce with the seed', () => {
    const user = nkeys.createUser();
    const auth = natsConnectionOptions({ NATS_URL: URL, NATS_NKEY_SEED: new TextDecoder().decode(user.getSeed()) }, 'router').authenticator as (
      nonce?: string,
    ) => {
      nkey: string;
      sig: string;
    };
    const { nkey, sig } = auth('abc');
    expect(nkey).toBe(user.getPublicKey());
    expect(user.verify(new TextEncoder().encode('abc'), Uint8Array.from(Buffer.from(sig, 'base64url')))).toBe(true);
  });
});
