import { SecretBox } from '@switchboard/common';
import type { AppConfig } from '@switchboard/config';
import type { AuditEntry, Channel, Prisma } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import { AIHUBMIX_CHANNEL_NAME, AihubmixEnvChannel } from './aihubmix-env.channel';
import { readChannelSecrets, sealChannelSecrets } from './channel-secrets';
import type { ChannelKeyRow, EnvChannels } from './channel.repository';

const SECRET_KEY = '4e8b2d6f1a9c3e7b0d5f2a8c6e1b4d9f7a3c0e5b8d2f6a1c9e4b7d0f3a6c8e2b';
const box = new SecretBox(SECRET_KEY);

/** The secret columns a write would leave in the row. */
const stored = (write: object) => ({
  headersCiphertext: null,
  paramOverrideCiphertext: null,
  ...(write as Partial<Channel>),
  legacyHeaders: null,
  legacyParamOverride: null,
});

/** Records what upsertByName was asked to write for a stored channel (or none). */
function store(existing: Channel | null) {
  const calls: { name: string; keys: ChannelKeyRow[]; write: Prisma.ChannelUpdateInput | Omit<Prisma.ChannelCreateInput, 'keys'>; audit: AuditEntry }[] = [];
  const repo: EnvChannels = {
    upsertByName: (name, keys, plan, audit) => {
      const { update, create } = plan(existing);
      calls.push({ name, keys, write: existing ? update : create, audit: audit(existing ? 'update' : 'create', existing?.id ?? 7) });
      return Promise.resolve();
    },
  };
  return { repo, calls };
}

describe('AihubmixEnvChannel', () => {
  const config = { SECRET_KEY, AIHUBMIX_API_KEY: 'sk-aihubmix-000042', AIHUBMIX_BASE_URL: 'https://aihubmix.test/v1', AIHUBMIX_APP_CODE: 'APP-9' } as AppConfig;
  let events: unknown[];
  const bus = { emit: (_: string, p: unknown) => void events.push(p) } as unknown as Bus;

  beforeEach(() => {
    events = [];
  });

  it('creates the channel for every model with the key sealed and the APP-Code header, audited as env', async () => {
    const { repo, calls } = store(null);
    await new AihubmixEnvChannel(repo, bus, config).onApplicationBootstrap();
    const [call] = calls;
    expect(call.name).toBe(AIHUBMIX_CHANNEL_NAME);
    expect(box.decrypt(call.keys[0].keyCiphertext)).toBe('sk-aihubmix-000042');
    expect(call.keys[0]).toMatchObject({ position: 0, keyHint: '0042', status: 'enabled' });
    expect(call.write).toMatchObject({ name: 'aihubmix', type: 'aihubmix', baseUrl: 'https://aihubmix.test/v1', models: ['*'], groups: ['default'] });
    expect(readChannelSecrets(stored(call.write), box).headers).toEqual({ 'APP-Code': 'APP-9' });
    expect(call.audit).toEqual({
      actor: 'env',
      action: 'create',
      entity: 'channel',
      entityId: 7,
      after: { name: 'aihubmix', baseUrl: 'https://aihubmix.test/v1' },
    });
    expect(events).toHaveLength(1);
  });

  it("updates an existing channel's base URL and APP-Code and keeps the admin's other headers", async () => {
    const existing = {
      id: 3,
      name: 'aihubmix',
      paramOverrideCiphertext: null,
      legacyParamOverride: null,
      ...sealChannelSecrets({ headers: { 'X-Admin': 'mine', 'APP-Code': 'old' } }, box),
    } as unknown as Channel;
    const { repo, calls } = store(existing);
    await new AihubmixEnvChannel(repo, bus, config).onApplicationBootstrap();
    const write = calls[0].write as Channel;
    expect(write).toMatchObject({ type: 'aihubmix', baseUrl: 'https://aihubmix.test/v1' });
    expect(write).not.toHaveProperty('models');
    expect(readChannelSecrets(stored(write), box).headers).toEqual({ 'X-Admin': 'mine', 'APP-Code': 'APP-9' });
    expect(calls[0].audit).toMatchObject({ action: 'update', entityId: 3 });
  });

  it('does nothing without AIHUBMIX_API_KEY', async () => {
    const { repo, calls } = store(null);
    await new AihubmixEnvChannel(repo, bus, { ...config, AIHUBMIX_API_KEY: undefined }).onApplicationBootstrap();
    expect(calls).toEqual([]);
    expect(events).toEqual([]);
  });
});
