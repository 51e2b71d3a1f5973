import { SecretBox } from '@switchboard/common';
import type { AppConfig } from '@switchboard/config';
import type { Alias } from '@switchboard/db';
import { Logger } from '@nestjs/common';
import type { ChannelWithKeys, Channels } from '../channels/channel.repository';
import { sealChannelSecrets } from '../channels/channel-secrets';
import { KEY_COUNTERS_NONE } from '../channels/channel-key.fixture';
import { RoutingTableService } from './routing-table.service';

const SECRET = 'ab'.repeat(32);
const T0 = new Date(0);

const channel = (over: Partial<ChannelWithKeys>): ChannelWithKeys => ({
  id: 1,
  name: 'c1',
  type: 'openai',
  baseUrl: 'http://up',
  keyMode: 'round_robin',
  models: ['m'],
  modelMapping: { m: 'up-m' },
  groups: ['default'],
  priority: 0,
  weight: 1,
  enabled: true,
  autoBan: true,
  endpoints: [],
  config: {},
  headersCiphertext: null,
  paramOverrideCiphertext: null,
  legacyHeaders: null,
  legacyParamOverride: null,
  statusCodeMapping: { '429': '503' },
  testModel: null,
  tag: null,
  timeouts: null,
  responseTimeMs: null,
  lastCheckedAt: null,
  createdAt: T0,
  updatedAt: T0,
  keys: [],
  ...over,
});

const key = (position: number, status: string) => ({
  id: position,
  label: '',
  channelId: 1,
  position,
  keyCiphertext: `ct-${position}`,
  keyHint: 'sk-…',
  status,
  disabledReason: null,
  ...KEY_COUNTERS_NONE,
  createdAt: T0,
  updatedAt: T0,
});

/** The ciphertext columns of a channel whose only secret is the header x-a: 1. */
const sealed_ = (box: SecretBox) => {
  const s = sealChannelSecrets({ headers: { 'x-a': '1' }, paramOverride: {} }, box);
  return { headersCiphertext: s.headersCiphertext ?? null, paramOverrideCiphertext: s.paramOverrideCiphertext ?? null };
};

describe('RoutingTableService', () => {
  beforeAll(() => Logger.overrideLogger(['fatal'])); // the undecryptable channel is logged on purpose

  const service = (channels: ChannelWithKeys[], aliases: Alias[] = []) => {
    const repo: Channels = {
      enabledWithKeys: () => Promise.resolve(channels),
      aliases: () => Promise.resolve(aliases),
      withKeys: () => Promise.reject(new Error('not used')),
      recordCheck: () => Promise.reject(new Error('not used')),
    };
    return new RoutingTableService(repo, { SECRET_KEY: SECRET } as AppConfig);
  };

  it('lists keys by position with their ciphertext, secrets decrypted and status code mappings as numbers', async () => {
    const box = new SecretBox(SECRET);
    const sealed = sealed_(box);
    const table = await service([channel({ keys: [key(1, 'disabled'), key(0, 'enabled')], ...sealed })]).snapshot();
    expect(table.channels[0]).toMatchObject({
      keyMode: 'round_robin',
      keys: [
        { index: 0, ciphertext: 'ct-0', status: 'enabled' },
        { index: 1, ciphertext: 'ct-1', status: 'disabled' },
      ],
      modelMapping: { m: 'up-m' },
      headers: { 'x-a': '1' },
      statusCodeMapping: { '429': 503 },
    });
  });

  it('gives the gateway the endpoint families a channel declared, null for its type’s defaults (empty or NULL rows)', async () => {
    const rows = [channel({ id: 1, endpoints: ['rerank'] }), channel({ id: 2, endpoints: [] }), channel({ id: 3, endpoints: null as unknown as string[] })];
    const table = await service(rows).snapshot();
    expect(table.channels.map((c) => c.endpoints)).toEqual([['rerank'], null, null]);
  });

  it('keeps a channel whose secrets this SECRET_KEY cannot read, without them', async () => {
    const sealed = sealed_(new SecretBox('cd'.repeat(32)));
    const table = await service([channel({ keyMode: 'other', ...sealed })]).snapshot();
    expect(table.channels[0]).toMatchObject({ keyMode: 'random', headers: {}, paramOverride: {} });
  });

  it('answers aliases with their targets, and none when targets are not a list', async () => {
    const alias = (name: string, targets: Alias['targets']): Alias => ({ name, targets, fallbacks: ['f'], createdAt: T0, updatedAt: T0 });
    const table = await service([], [alias('a', [{ model: 'm', weight: 1 }]), alias('b', { bad: true })]).snapshot();
    expect(table.aliases).toEqual([
      { name: 'a', targets: [{ model: 'm', weight: 1 }], fallbacks: ['f'] },
      { name: 'b', targets: [], fallbacks: ['f'] },
    ]);
  });
});
