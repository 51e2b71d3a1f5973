import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { startHookReceiver, startSmtpReceiver, verifySignature } from '../../support/alert-receivers';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';
import { requireInfra } from '../../support/infra';
import { requireNatsServer, startPrivateNats, type NatsUser, type PrivateNats } from '../../support/nats-server';

jest.setTimeout(180_000);

/**
 * The cluster on deploy/nats/nats.conf (one NATS user per service): billing raises balance_low on alerts.raised.v1,
 * the router receives it and delivers the signed webhook and the mail; gateway bans reach the router the same way.
 */
describe('alerts (cluster on an authenticated NATS)', () => {
  let mock: MockUpstream;
  let nats: PrivateNats;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let hooks: Awaited<ReturnType<typeof startHookReceiver>>;
  let sys: System & { dropDatabase(): Promise<void> };
  let run = true;

  beforeAll(async () => {
    run = (await requireInfra('postgres', 'redis')) && requireNatsServer();
    if (!run) return;
    [mock, smtp, hooks, nats] = await Promise.all([startMockUpstream(), startSmtpReceiver(), startHookReceiver(), startPrivateNats()]);
    sys = await startCluster({
      env: { NATS_URL: nats.url, SMTP_URL: smtp.url, ALERT_EMAIL_FROM: 'alerts@cluster.test', BALANCE_LOW_THRESHOLD_USD: '1' },
      serviceEnv: (name) => ({ NATS_USER: name, NATS_PASSWORD: nats.passwords[name as NatsUser] }),
    });
  });
  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase();
    await Promise.all([nats?.stop(), mock?.close(), smtp?.close(), hooks?.close()]);
  });

  const maybe = (name: string, fn: () => Promise<void>) => it(name, async () => (run ? fn() : undefined));

  maybe('a balance crossing below the threshold and a channel with no usable key reach the webhook and the mailbox', async () => {
    const admin = adminClient(sys.url, sys.adminKey);
    const hook = await admin.post<{ secret: string }>('/api/alert-channels', {
      type: 'webhook',
      target: `${hooks.url}/hook`,
      events: ['balance_low', 'channel_down'],
    });
    expect(hook.status).toBe(201);
    expect((await admin.post('/api/alert-channels', { type: 'email', target: 'ops@example.com', events: ['balance_low'] })).status).toBe(201);
    expect((await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['sb-alert'] })).status).toBe(201);
    mock.setFault({ match: { key: 'sk-refused' }, status: 401 });
    const dead = await admin.post<{ id: number }>('/api/channels', {
      name: 'refused',
      type: 'openai',
      baseUrl: mock.url,
      keys: ['sk-refused'],
      models: ['sb-dead'],
    });
    for (const m of ['sb-alert', 'sb-dead']) expect((await admin.put(`/api/prices/${m}`, { input: 0, output: 0, perRequest: 0.5 })).status).toBe(200);
    const user = await admin.post<{ id: number }>('/api/users', { name: 'spender', balance: 1.2 });
    const key = (await admin.post<{ key: string }>('/api/tokens', { name: 'spender-key', userId: user.body.id })).body.key;
    const openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'sb-alert', messages: [{ role: 'user', content: 'one' }] });
    await openai.chat.completions.create({ model: 'sb-dead', messages: [{ role: 'user', content: 'two' }] }).catch(() => undefined);

    const signed = (event: string) =>
      hooks.hooks
        .filter((h) => h.headers['switchboard-event'] === event && verifySignature(hook.body.secret, h.headers['switchboard-signature'] as string, h.body))
        .map((h) => JSON.parse(h.body) as { subject: string; details: Record<string, unknown> });
    const [low] = await eventually(async () => signed('balance_low').length > 0 && signed('balance_low'), 30_000, 'balance_low over NATS');
    expect(low).toMatchObject({ subject: `user:${user.body.id}`, details: { balanceUsd: 0.7, thresholdUsd: 1 } });
    const mail = await eventually(async () => smtp.mails.find((m) => m.raw.includes('fell below')), 30_000, 'the balance_low mail');
    expect(mail).toMatchObject({ from: 'alerts@cluster.test', to: ['ops@example.com'] });
    const [down] = await eventually(async () => signed('channel_down').length > 0 && signed('channel_down'), 30_000, 'channel_down over NATS');
    expect(down).toMatchObject({ subject: `channel:${dead.body.id}`, details: { channelName: 'refused' } });
  });
});
