// deploy/nats/nats.conf on a real nats-server: every connection made the way the services make theirs
// (natsConnectionOptions: credentials + per-service inbox prefix). What a compromised or misconfigured service could do
// on the bus is exactly what these tests let through.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { Subjects, UsageStream, type Subject, type UsageRecord } from '@switchboard/contracts';
import { JetStreamUsageQueue, natsConnectionOptions } from '@switchboard/messaging';
import { NATS_USERS, passwordVar, requireNatsServer, startPrivateNats, type NatsUser, type PrivateNats } from '../../support/nats-server';
import { usageRecord } from '../billing/billing-fixtures';

jest.setTimeout(60_000);

/** Who answers each request subject; who emits each event; who subscribes to events. Every subject must be listed. */
const ANSWERED_BY: Partial<Record<Subject, NatsUser>> = {
  [Subjects.AuthVerifyKey]: 'auth',
  [Subjects.AuthAdmin]: 'auth',
  [Subjects.AuthAccount]: 'auth',
  [Subjects.AuthSignIn]: 'auth',
  [Subjects.RouterTableGet]: 'router',
  [Subjects.RouterAdmin]: 'router',
  [Subjects.BillingPricesGet]: 'billing',
  [Subjects.BillingAdmin]: 'billing',
  [Subjects.BillingRedeem]: 'billing',
  [Subjects.BillingPayments]: 'billing',
  [Subjects.LogsAdmin]: 'log-writer',
};
const EMITTED_BY: Partial<Record<Subject, NatsUser[]>> = {
  [Subjects.AuthChanged]: ['auth', 'billing'],
  [Subjects.RouterTableChanged]: ['router'],
  [Subjects.RouterBansChanged]: ['gateway', 'router'],
  [Subjects.BillingPricesChanged]: ['billing'],
  [Subjects.BillingBalanceLow]: ['billing'],
  [Subjects.AlertRaised]: ['gateway', 'auth', 'billing'],
  [Subjects.UsageRecorded]: ['gateway'],
  [Subjects.UsageRecordedBatch]: ['gateway'],
  [Subjects.UsageRejected]: ['gateway'],
};
/** these records are all valid: a dead letter would be a failure of the test */
const noDeadLetters = async (): Promise<number> => {
  throw new Error('no record of this test may be dead-lettered');
};
/**
 * Who subscribes to each event: the gateways (ChangeEventsController) and the router's alerts (AlertsEventsController);
 * usage goes through JetStream, not a subscription.
 */
const LISTENERS: Partial<Record<Subject, NatsUser[]>> = {
  [Subjects.AuthChanged]: ['gateway'],
  [Subjects.RouterTableChanged]: ['gateway'],
  [Subjects.RouterBansChanged]: ['gateway', 'router'],
  [Subjects.BillingPricesChanged]: ['gateway'],
  [Subjects.AlertRaised]: ['router'],
};

interface Client {
  nc: NatsConnection;
  /** subjects the server refused, as `publish <subject>` / `subscription <subject>` */
  refused: string[];
}

const describeNats = requireNatsServer() ? describe : describe.skip;

describeNats('NATS permissions of deploy/nats/nats.conf on a real nats-server', () => {
  let nats: PrivateNats;
  const clients = new Map<NatsUser, Client>();

  const options = (user: NatsUser, password = nats.passwords[user]) =>
    natsConnectionOptions({ NATS_URL: nats.url, NATS_USER: user, NATS_PASSWORD: password }, user);

  async function open(user: NatsUser): Promise<Client> {
    const nc = await connect(options(user));
    const client: Client = { nc, refused: [] };
    void (async () => {
      for await (const s of nc.status()) {
        const ctx = (s as { permissionContext?: { operation: string; subject: string } }).permissionContext;
        if (ctx) client.refused.push(`${ctx.operation} ${ctx.subject}`);
      }
    })();
    return client;
  }

  /** Whether the server refused `op` on `subject` for this user (its -ERR arrives before the flush's PONG). */
  async function refused(user: NatsUser, op: 'publish' | 'subscription', subject: string): Promise<boolean> {
    const c = clients.get(user)!;
    if (op === 'publish') c.nc.publish(subject, 'x');
    else c.nc.subscribe(subject, { max: 1 });
    await c.nc.flush();
    await new Promise((r) => setImmediate(r));
    return c.refused.includes(`${op} ${subject}`);
  }

  beforeAll(async () => {
    nats = await startPrivateNats();
    for (const u of NATS_USERS) clients.set(u, await open(u));
  });
  afterAll(async () => {
    for (const c of clients.values()) await c.nc.close();
    await nats?.stop();
  });

  it('refuses a client without credentials, with a wrong password, or as a user that does not exist', async () => {
    await expect(connect({ servers: nats.url })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    await expect(connect(options('auth', 'not-the-password'))).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    await expect(connect({ servers: nats.url, user: 'admin', pass: nats.passwords.gateway })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it('deploy/nats/start.sh refuses a password nats-server would misread (empty: no password at all; a digit first: a number)', () => {
    const good = Object.fromEntries(NATS_USERS.map((u) => [passwordVar(u), 'sb0123456789abcdef0123']));
    const run = (overrides: Record<string, string>) =>
      spawnSync('sh', ['deploy/nats/start.sh', '--version'], { env: { PATH: process.env.PATH, ...good, ...overrides }, encoding: 'utf8' });
    expect(run({}).status).toBe(0); // reaches nats-server
    for (const [value, why] of [
      ['', /NATS_PASSWORD_AUTH is not set/],
      ['4e3f0a9c1b7d2e6f8a0b', /NATS_PASSWORD_AUTH must start with a letter/],
      ['sb-with-a-dash-000', /NATS_PASSWORD_AUTH must start with a letter and hold only letters and digits/],
      ['sbshort', /NATS_PASSWORD_AUTH is shorter than 16/],
    ] as const) {
      const r = run({ NATS_PASSWORD_AUTH: value });
      expect({ value, status: r.status, stderr: r.stderr }).toEqual({ value, status: 1, stderr: expect.stringMatching(why) });
    }
  });

  it('classifies every subject of libs/contracts (a new subject needs its line in nats.conf and here)', () => {
    for (const s of Object.values(Subjects)) expect({ s, known: s in ANSWERED_BY || s in EMITTED_BY }).toEqual({ s, known: true });
  });

  it.each(Object.entries(ANSWERED_BY))('%s: only %s may receive (and so answer) it; only the gateway may send it', async (subject, owner) => {
    for (const u of NATS_USERS) {
      expect({ u, subscribeRefused: await refused(u, 'subscription', subject) }).toEqual({ u, subscribeRefused: u !== owner });
      expect({ u, publishRefused: await refused(u, 'publish', subject) }).toEqual({ u, publishRefused: u !== 'gateway' });
    }
  });

  it.each(Object.entries(EMITTED_BY))('%s: only %j may publish it', async (subject, emitters) => {
    for (const u of NATS_USERS) expect({ u, publishRefused: await refused(u, 'publish', subject) }).toEqual({ u, publishRefused: !emitters.includes(u) });
    const listeners = LISTENERS[subject as Subject] ?? [];
    for (const u of NATS_USERS) {
      expect({ u, subscribeRefused: await refused(u, 'subscription', subject) }).toEqual({ u, subscribeRefused: !listeners.includes(u) });
    }
  });

  it("no service can read another's replies, or everything at once", async () => {
    for (const reader of NATS_USERS) {
      for (const owner of NATS_USERS) {
        const subject = `_INBOX_${owner}.>`;
        expect({ reader, subject, refused: await refused(reader, 'subscription', subject) }).toEqual({ reader, subject, refused: reader !== owner });
      }
      for (const wide of ['>', '_INBOX.>', '*.>', '$JS.>'])
        expect({ reader, wide, refused: await refused(reader, 'subscription', wide) }).toEqual({ reader, wide, refused: true });
    }
  });

  it('only auth answers key verification: a forged reply from another service never reaches the gateway', async () => {
    const gateway = clients.get('gateway')!.nc;
    const auth = clients.get('auth')!.nc;
    const answering = auth.subscribe(Subjects.AuthVerifyKey, { queue: 'auth' });
    void (async () => {
      for await (const m of answering) m.respond(new TextEncoder().encode('from-auth'));
    })();
    await auth.flush();
    // The router (say, compromised) learns the gateway's reply subject and races auth with a forged answer.
    const forged: string[] = [];
    const reply = `_INBOX_gateway.${randomUUID().replace(/-/g, '')}`;
    const listening = gateway.subscribe(reply, { max: 1 });
    void (async () => {
      for await (const m of listening) forged.push(new TextDecoder().decode(m.data));
    })();
    await gateway.flush();
    expect(await refused('router', 'publish', reply)).toBe(true);
    expect(await refused('billing', 'publish', reply)).toBe(true);
    const answer = await gateway.request(Subjects.AuthVerifyKey, new TextEncoder().encode('{}'), { timeout: 5_000 });
    expect(new TextDecoder().decode(answer.data)).toBe('from-auth');
    expect(answer.subject.startsWith('_INBOX_gateway.')).toBe(true);
    await gateway.flush();
    expect(forged).toEqual([]);
    answering.unsubscribe();
    listening.unsubscribe();
  });

  it('usage records: the gateway publishes them through JetStream, billing and log-writer consume them, nobody else may publish', async () => {
    const run = randomUUID().slice(0, 8);
    const gateway = await JetStreamUsageQueue.connect(options('gateway'), 'gateway');
    const billing = await JetStreamUsageQueue.connect(options('billing'), 'billing');
    const logWriter = await JetStreamUsageQueue.connect(options('log-writer'), 'log-writer');
    // auth and router open the stream at start too
    const others = [await JetStreamUsageQueue.connect(options('auth'), 'auth'), await JetStreamUsageQueue.connect(options('router'), 'router')];
    const got = { billing: [] as string[], logWriter: [] as string[] };
    try {
      await billing.consume(UsageStream.consumers.billing, async (rs: UsageRecord[]) => void got.billing.push(...rs.map((r) => r.requestId)), noDeadLetters);
      await logWriter.consume(
        UsageStream.consumers.logWriter,
        async (rs: UsageRecord[]) => void got.logWriter.push(...rs.map((r) => r.requestId)),
        noDeadLetters,
      );
      // a consumer of someone else's durable is refused
      await expect(logWriter.consume(UsageStream.consumers.billing, async () => undefined, noDeadLetters)).rejects.toThrow();
      const ids = [`req_${run}_1`, `req_${run}_2`];
      for (const id of ids) gateway.publish(usageRecord(id, 1, 1, 10));
      await gateway.flush(5_000);
      expect(gateway.pending()).toBe(0);
      const deadline = Date.now() + 20_000;
      while ((got.billing.length < 2 || got.logWriter.length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(got.billing.sort()).toEqual(ids);
      expect(got.logWriter.sort()).toEqual(ids);
      // log-writer forging a usage record: refused by the server, never stored
      const js = clients.get('log-writer')!.nc.jetstream();
      await expect(js.publish(Subjects.UsageRecordedBatch, new TextEncoder().encode('{"records":[]}'), { timeout: 2_000 })).rejects.toThrow();
    } finally {
      for (const q of [gateway, billing, logWriter, ...others]) await q.close();
    }
  });
});
