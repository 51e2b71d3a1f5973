// DATABASE_URL's sslmode/sslrootcert reach every Postgres connection (Prisma's pg adapter and the migration pool).
// The local Postgres serves no TLS, so the test puts a TLS-terminating proxy of its own in front of it: it answers
// Postgres' SSLRequest with 'S', does the TLS handshake with a certificate of a throwaway CA, and relays the
// decrypted bytes to the real server. A connection that does not ask for TLS is refused by the proxy.
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import fs from 'node:fs';
import { migrate, openDatabase } from '@switchboard/db';
import { makeTestPki, opensslAvailable, type TestPki } from '../../support/tls-certs';
import { createThrowawayDatabase, describePostgres, type ThrowawayDatabase } from './harness';

jest.setTimeout(60_000);

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

interface TlsProxy {
  port: number;
  tlsSessions: number;
  plainAttempts: number;
  close(): Promise<void>;
}

async function startTlsProxy(pki: TestPki, target: { host: string; port: number }): Promise<TlsProxy> {
  const sockets = new Set<net.Socket>();
  const stats = { tlsSessions: 0, plainAttempts: 0 };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.once('data', (first: Buffer) => {
      if (!first.subarray(0, 8).equals(SSL_REQUEST)) {
        stats.plainAttempts++;
        client.destroy();
        return;
      }
      client.write('S');
      const secure = new tls.TLSSocket(client, { isServer: true, cert: fs.readFileSync(pki.serverCert), key: fs.readFileSync(pki.serverKey) });
      secure.on('error', () => client.destroy());
      secure.once('secure', () => {
        stats.tlsSessions++;
        const upstream = net.connect(target);
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => secure.destroy());
        secure.pipe(upstream).pipe(secure);
      });
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    get tlsSessions() {
      return stats.tlsSessions;
    },
    get plainAttempts() {
      return stats.plainAttempts;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

(opensslAvailable() ? describePostgres : describe.skip)('Postgres over TLS through DATABASE_URL (sslmode, sslrootcert)', () => {
  let pki: TestPki;
  let proxy: TlsProxy;
  let tdb: ThrowawayDatabase;

  beforeAll(async () => {
    pki = makeTestPki();
    tdb = await createThrowawayDatabase();
    const u = new URL(tdb.url);
    proxy = await startTlsProxy(pki, { host: u.hostname, port: Number(u.port || 5432) });
  });
  afterAll(async () => {
    await proxy?.close();
    await tdb?.drop();
    pki?.remove();
  });

  const urlVia = (query: string) => {
    const u = new URL(tdb.url);
    u.port = String(proxy.port);
    return `${u.toString()}?${query}`;
  };

  it('sslmode=verify-full with sslrootcert: migrations and queries run over TLS only', async () => {
    const db = await openDatabase({ databaseUrl: urlVia(`sslmode=verify-full&sslrootcert=${encodeURIComponent(pki.ca)}`), dataDir: os.tmpdir() });
    try {
      const { applied } = await migrate(db);
      expect(applied.length).toBeGreaterThan(0);
      const rows = await db.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM channels');
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
    expect(proxy.tlsSessions).toBeGreaterThanOrEqual(2); // the migration pool and the client's pool
    expect(proxy.plainAttempts).toBe(0);
  });

  it('sslmode=require still verifies the certificate (node-postgres): a server signed by an unknown CA is refused', async () => {
    const sessions = proxy.tlsSessions;
    await expect(
      (async () => {
        const db = await openDatabase({ databaseUrl: urlVia('sslmode=require'), dataDir: os.tmpdir() });
        try {
          await db.prisma.$queryRawUnsafe('SELECT 1');
        } finally {
          await db.close();
        }
      })(),
    ).rejects.toThrow();
    expect(proxy.tlsSessions).toBe(sessions);
  });

  it('without sslmode the client does not ask for TLS, and this proxy refuses it (what a TLS-only server does)', async () => {
    const attempts = proxy.plainAttempts;
    await expect(
      (async () => {
        const db = await openDatabase({ databaseUrl: urlVia('connect_timeout=3'), dataDir: os.tmpdir() });
        try {
          await db.prisma.$queryRawUnsafe('SELECT 1');
        } finally {
          await db.close();
        }
      })(),
    ).rejects.toThrow();
    expect(proxy.plainAttempts).toBeGreaterThan(attempts);
  });
});
