import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}
export interface ReceivedHook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Verifies `switchboard-signature` exactly as README "Alerts" tells a receiver to: any `v1=` may match (during a
 * secret rotation a delivery carries one per secret).
 */
export function verifySignature(secret: string, header: string | undefined, body: string, toleranceSec = 300): boolean {
  const parts = (header ?? '').split(',').map((p) => p.split('=', 2));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSec) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return parts.some(([k, v]) => {
    const given = Buffer.from(k === 'v1' ? (v ?? '') : '', 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** An SMTP server (the `smtp-server` package) on a free port that requires the login given and keeps every mail. */
export async function startSmtpReceiver(user = 'alerts', pass = 'smtp-pass') {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) cb(null, { user });
      else cb(new Error('invalid login'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    url: `smtp://${user}:${pass}@127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * An HTTP receiver for webhooks and Slack-style incoming webhooks: keeps every POST by path. `fail(path, n)` makes the
 * next n requests to that path answer 503 (a transient failure); paths under /missing answer 404.
 */
export async function startHookReceiver() {
  const hooks: ReceivedHook[] = [];
  const failing = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const left = failing.get(path) ?? 0;
      if (left > 0) {
        failing.set(path, left - 1);
        res.writeHead(503).end('busy');
        return;
      }
      if (path.startsWith('/missing')) {
        res.writeHead(404).end('no such hook');
        return;
      }
      hooks.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(path.startsWith('/slack') ? 200 : 204, { 'content-type': 'text/plain' }).end(path.startsWith('/slack') ? 'ok' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url,
    hooks,
    fail: (path: string, times: number) => failing.set(path, times),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
