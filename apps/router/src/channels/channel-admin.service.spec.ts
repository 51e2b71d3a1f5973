import { KEY_COUNTERS_NONE } from './channel-key.fixture';
import { SecretBox } from '@switchboard/common';
import type { AppConfig } from '@switchboard/config';
import {
  AddChannelKeys,
  ChannelListQuery,
  CreateAlias,
  CreateChannel,
  DomainError,
  UpdateAlias,
  UpdateChannel,
  UpdateChannelKey,
} from '@switchboard/contracts';
import { Prisma, type Alias, type AuditEntry, type ChannelKey } from '@switchboard/db';
import type { HealthStore } from '@switchboard/health';
import type { Bus } from '@switchboard/messaging';
import type { ChannelProber, ProbeResult } from '../health/channel-prober';
import type { Aliases } from './alias.repository';
import { ChannelAdminService } from './channel-admin.service';
import { readChannelSecrets } from './channel-secrets';
import type { AdminChannels, ChannelKeyRow, ChannelWithKeys } from './channel.repository';

const SECRET_KEY = '4e8b2d6f1a9c3e7b0d5f2a8c6e1b4d9f7a3c0e5b8d2f6a1c9e4b7d0f3a6c8e2b';
const T0 = new Date('2026-01-01T00:00:00Z');
/** Prisma's conventions: undefined leaves a column alone, DbNull stores NULL. */
const columns = (o: object) =>
  Object.fromEntries(Object.entries(o).flatMap(([k, v]) => (v === undefined || k === 'keys' ? [] : [[k, v === Prisma.DbNull ? null : v]])));

/** Channels and aliases in memory, with the audit records each write committed. */
class World {
  channels: ChannelWithKeys[] = [];
  aliases: Alias[] = [];
  audits: AuditEntry[] = [];
  checks: [number, number | null][] = [];
  private seq = 0;

  private keyRows(channelId: number, rows: ChannelKeyRow[]): ChannelKey[] {
    return rows.map((k) => ({ label: '', ...k, id: ++this.seq, channelId, disabledReason: null, ...KEY_COUNTERS_NONE, createdAt: T0, updatedAt: T0 }));
  }

  readonly channelRepo: AdminChannels = {
    page: (limit, offset) => Promise.resolve({ rows: this.channels.slice(offset, offset + limit), total: this.channels.length }),
    withKeys: (id) => Promise.resolve(this.channels.find((c) => c.id === id) ?? null),
    recordCheck: (id, ms) => Promise.resolve(void this.checks.push([id, ms])),
    create: (data, audit) => {
      if (this.channels.some((c) => c.name === data.name)) {
        return Promise.reject(new Prisma.PrismaClientKnownRequestError('unique', { code: 'P2002', clientVersion: 'x' }));
      }
      const id = ++this.seq;
      const c = {
        id,
        headersCiphertext: null,
        paramOverrideCiphertext: null,
        legacyHeaders: null,
        legacyParamOverride: null,
        responseTimeMs: null,
        lastCheckedAt: null,
        createdAt: T0,
        updatedAt: T0,
        ...columns(data),
        keys: this.keyRows(id, (data.keys?.create ?? []) as ChannelKeyRow[]),
      } as ChannelWithKeys;
      this.channels.push(c);
      this.audits.push(audit(c));
      return Promise.resolve(c);
    },
    update: (id, keys, data, audit) => {
      const i = this.channels.findIndex((c) => c.id === id);
      const c = { ...this.channels[i], ...columns(data) } as ChannelWithKeys;
      if (keys) c.keys = this.keyRows(id, keys);
      this.channels[i] = c;
      this.audits.push(audit(c));
      return Promise.resolve(c);
    },
    delete: (id, audit) => {
      this.channels = this.channels.filter((c) => c.id !== id);
      this.audits.push(audit);
      return Promise.resolve();
    },
    addKeys: (id, plan, audit) => {
      const i = this.channels.findIndex((c) => c.id === id);
      if (i < 0) return Promise.resolve(null);
      const before = this.channels[i];
      let next = Math.max(-1, ...before.keys.map((k) => k.position)) + 1;
      const keys = this.keyRows(
        id,
        plan(before.keys).map((r) => ({ ...r, position: next++ })),
      );
      const after = { ...before, keys: [...before.keys, ...keys] };
      this.channels[i] = after;
      if (keys.length) this.audits.push(audit({ before, after, keys }));
      return Promise.resolve({ before, after, keys });
    },
    updateKey: (id, keyId, data, audit) => {
      const i = this.channels.findIndex((c) => c.id === id);
      const before = this.channels[i];
      const old = before?.keys.find((k) => k.id === keyId);
      if (!before || !old) return Promise.resolve(null);
      const key = { ...old, ...columns(data) };
      const after = { ...before, keys: before.keys.map((k) => (k.id === keyId ? key : k)) };
      this.channels[i] = after;
      this.audits.push(audit({ before, after, keys: [key] }));
      return Promise.resolve({ before, after, keys: [key] });
    },
    deleteKey: (id, keyId, guard, audit) => {
      const i = this.channels.findIndex((c) => c.id === id);
      const before = this.channels[i];
      const key = before?.keys.find((k) => k.id === keyId);
      if (!before || !key) return Promise.resolve(null);
      guard(before.keys);
      const after = { ...before, keys: before.keys.filter((k) => k.id !== keyId) };
      this.channels[i] = after;
      this.audits.push(audit({ before, after, keys: [key] }));
      return Promise.resolve({ before, after, keys: [key] });
    },
  };

  readonly aliasRepo: Aliases = {
    list: () => Promise.resolve([...this.aliases].sort((a, b) => a.name.localeCompare(b.name))),
    byName: (name) => Promise.resolve(this.aliases.find((a) => a.name === name) ?? null),
    create: (data, audit) => {
      if (this.aliases.some((a) => a.name === data.name)) {
        return Promise.reject(new Prisma.PrismaClientKnownRequestError('unique', { code: 'P2002', clientVersion: 'x' }));
      }
      const a = { fallbacks: [], createdAt: T0, updatedAt: T0, ...columns(data) } as unknown as Alias;
      this.aliases.push(a);
      this.audits.push(audit(a));
      return Promise.resolve(a);
    },
    update: (name, data, audit) => {
      const i = this.aliases.findIndex((a) => a.name === name);
      this.aliases[i] = { ...this.aliases[i], ...columns(data) };
      this.audits.push(audit(this.aliases[i]));
      return Promise.resolve(this.aliases[i]);
    },
    delete: (name, audit) => {
      this.aliases = this.aliases.filter((a) => a.name !== name);
      this.audits.push(audit);
      return Promise.resolve();
    },
  };
}

describe('ChannelAdminService', () => {
  const box = new SecretBox(SECRET_KEY);
  let w: World;
  let events: unknown[];
  let probes: string[];
  let health: Pick<HealthStore, 'bans' | 'channelWindow' | 'liftBan'>;
  let lifted: unknown[];
  let s: ChannelAdminService;
  const rejection = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
    throw new Error('expected a DomainError');
  };
  const channel = (over: object = {}) =>
    s.create(CreateChannel.parse({ name: 'up', type: 'openai', keys: ['sk-first-key-0001'], models: ['gpt-x'], ...over }), 'root');

  beforeEach(() => {
    w = new World();
    events = [];
    probes = [];
    lifted = [];
    health = {
      bans: () => Promise.resolve([]),
      channelWindow: () => Promise.resolve({ requests: 4, errors: 1 }),
      liftBan: (t) => Promise.resolve(!!lifted.push(t)),
    };
    const bus = { emit: (_: string, p: unknown) => void events.push(p) } as unknown as Bus;
    const prober = {
      probe: (_c: unknown, model: string): Promise<ProbeResult> => {
        probes.push(model);
        return Promise.resolve({ ok: model !== 'bad', status: 200, responseTimeMs: 42, error: null, model });
      },
    } as unknown as ChannelProber;
    s = new ChannelAdminService(w.channelRepo, w.aliasRepo, bus, prober, health as HealthStore, { SECRET_KEY } as AppConfig);
  });

  it('stores keys and headers sealed, answers and audits them masked, and announces the table change', async () => {
    const created = await channel({ headers: { 'APP-Code': 'APPCODE-1234567' } });
    const row = w.channels[0];
    expect(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(/sk-first|APPCODE/);
    expect(box.decrypt(row.keys[0].keyCiphertext)).toBe('sk-first-key-0001');
    expect(row.keys[0]).toMatchObject({ position: 0, keyHint: '0001', status: 'enabled' });
    expect(created).toMatchObject({ keys: ['sk-…0001'], headers: { 'APP-Code': 'APP…4567' } });
    expect(w.audits).toEqual([{ actor: 'root', action: 'create', entity: 'channel', entityId: row.id, after: created }]);
    expect(events).toHaveLength(1);
  });

  it('a taken name is a 400 naming the field, with nothing announced', async () => {
    await channel();
    events = [];
    expect(await rejection(channel())).toMatchObject({ status: 400, details: { field: 'name' } });
    expect(events).toEqual([]);
  });

  it('an update keeps a secret sent back masked, replaces keys only when given, and audits before and after', async () => {
    const created = await channel({ headers: { 'APP-Code': 'APPCODE-1234567', 'X-Old': 'old-value-0000' } });
    const id = String(created.id);
    await s.update(id, UpdateChannel.parse({ headers: { 'APP-Code': created.headers['APP-Code'], 'X-Old': 'new-value-1111' }, priority: 3 }), 'root');
    expect(readChannelSecrets(w.channels[0], box).headers).toEqual({ 'APP-Code': 'APPCODE-1234567', 'X-Old': 'new-value-1111' });
    const keysBefore = w.channels[0].keys;
    await s.update(id, UpdateChannel.parse({ weight: 2 }), 'root');
    expect(w.channels[0].keys).toBe(keysBefore);
    const after = await s.update(id, UpdateChannel.parse({ keys: ['sk-second-key-002', 'sk-third-key-0003'] }), 'root');
    expect(after.keys).toEqual(['sk-…-002', 'sk-…0003']);
    expect(w.audits.slice(1).map((a) => [a.action, (a.before as { priority: number }).priority, (a.after as { priority: number }).priority])).toEqual([
      ['update', 0, 3],
      ['update', 3, 3],
      ['update', 3, 3],
    ]);
    expect(events).toHaveLength(4);
  });

  it('deletes with an audit record of the masked channel; an unknown id is a 404', async () => {
    const created = await channel();
    expect(await s.remove(String(created.id), 'root')).toEqual({ deleted: true });
    expect(w.audits[1]).toEqual({ actor: 'root', action: 'delete', entity: 'channel', entityId: created.id, before: created });
    expect(await rejection(s.remove(String(created.id), 'root'))).toMatchObject({ status: 404 });
    expect(await rejection(s.get('x'))).toMatchObject({ status: 404 });
  });

  it('lists with health, and still lists when the health store fails', async () => {
    await channel();
    expect(await s.list(ChannelListQuery.parse({}))).toMatchObject({ total: 1, data: [{ name: 'up', errorRate: 0.25 }] });
    health.bans = () => Promise.reject(new Error('redis down'));
    expect(await s.list(ChannelListQuery.parse({}))).toMatchObject({ total: 1, data: [{ name: 'up', errorRate: 0 }] });
  });

  it("a test probes the requested model or the channel's own, and records the response time only when it worked", async () => {
    const created = await channel({ testModel: 'probe-me' });
    await s.test(String(created.id), { model: undefined });
    await s.test(String(created.id), { model: 'bad' });
    expect(probes).toEqual(['probe-me', 'bad']);
    expect(w.checks).toEqual([
      [created.id, 42],
      [created.id, null],
    ]);
    const wild = await channel({ name: 'wild', models: ['gpt-*'] });
    expect(await rejection(s.test(String(wild.id), { model: undefined }))).toMatchObject({ status: 400, details: { field: 'testModel' } });
  });

  it('aliases: create, update and delete are audited and announced; unknown is a 404, a taken name a 400', async () => {
    const a = await s.createAlias(CreateAlias.parse({ name: 'fast', targets: [{ model: 'gpt-x' }] }), 'root');
    expect(a).toMatchObject({ name: 'fast', targets: [{ model: 'gpt-x', weight: 1 }], fallbacks: [] });
    expect(await rejection(s.createAlias(CreateAlias.parse({ name: 'fast', targets: [{ model: 'y' }] }), 'root'))).toMatchObject({
      status: 400,
      details: { field: 'name' },
    });
    await s.updateAlias('fast', UpdateAlias.parse({ fallbacks: ['slow'] }), 'root');
    expect((await s.listAliases()).data).toMatchObject([{ name: 'fast', fallbacks: ['slow'] }]);
    await s.deleteAlias('fast', 'root');
    expect(await rejection(s.deleteAlias('fast', 'root'))).toMatchObject({ status: 404 });
    expect(await rejection(s.updateAlias(undefined, {}, 'root'))).toMatchObject({ status: 404 });
    expect(w.audits.map((x) => [x.action, x.entity, x.entityId, (x.before as Alias | undefined)?.fallbacks])).toEqual([
      ['create', 'alias', 'fast', undefined],
      ['update', 'alias', 'fast', []],
      ['delete', 'alias', 'fast', ['slow']],
    ]);
    expect(events).toHaveLength(3);
  });

  describe('key pool', () => {
    it('adds a batch, skipping keys already in the pool or repeated in it, each with a stable id and the next position', async () => {
      const c = await channel();
      events = [];
      const r = await s.addKeys(
        String(c.id),
        AddChannelKeys.parse({ keys: ['sk-new-key-00002', 'sk-first-key-0001', 'sk-new-key-00002', 'sk-new-key-00003'] }),
        'root',
      );
      expect(r.added.map((k) => [k.masked, k.enabled, k.status])).toEqual([
        ['sk-…0002', true, 'ok'],
        ['sk-…0003', true, 'ok'],
      ]);
      expect(r.skipped).toEqual([
        { index: 1, masked: 'sk-…0001', reason: 'duplicate' },
        { index: 2, masked: 'sk-…0002', reason: 'duplicate' },
      ]);
      expect(w.channels[0].keys.map((k) => [k.position, box.decrypt(k.keyCiphertext)])).toEqual([
        [0, 'sk-first-key-0001'],
        [1, 'sk-new-key-00002'],
        [2, 'sk-new-key-00003'],
      ]);
      expect(events).toHaveLength(1);
      // nothing new: no write, no audit, no event
      const again = await s.addKeys(String(c.id), AddChannelKeys.parse({ keys: ['sk-first-key-0001'] }), 'root');
      expect(again).toEqual({ added: [], skipped: [{ index: 0, masked: 'sk-…0001', reason: 'duplicate' }] });
      expect(events).toHaveLength(1);
      expect(w.audits).toHaveLength(2);
      expect(JSON.stringify(w.audits)).not.toMatch(/sk-new-key|sk-first-key/);
      expect(await rejection(s.addKeys('999', { keys: ['sk-x'] }, 'root'))).toMatchObject({ status: 404 });
    });

    it('relabels and disables a key without touching the others; the audit shows the change, masked', async () => {
      const c = await channel({ keys: ['sk-first-key-0001', 'sk-second-key-002'] });
      const [, second] = (await s.listKeys(String(c.id))).data;
      const v = await s.updateKey(String(c.id), String(second.id), UpdateChannelKey.parse({ label: ' team B ', enabled: false }), 'root');
      expect(v).toMatchObject({ id: second.id, label: 'team B', masked: 'sk-…-002', enabled: false, status: 'ok' });
      expect(w.channels[0].keys.map((k) => k.status)).toEqual(['enabled', 'disabled']);
      const audit = w.audits.at(-1)!;
      expect(audit).toMatchObject({ action: 'update', entity: 'channel', entityId: c.id });
      expect((audit.before as { keyStatus: unknown[] }).keyStatus[1]).toMatchObject({ status: 'enabled', label: '' });
      expect((audit.after as { keyStatus: unknown[] }).keyStatus[1]).toMatchObject({ status: 'disabled', label: 'team B' });
      expect(await rejection(s.updateKey(String(c.id), '12345', { enabled: true }, 'root'))).toMatchObject({ status: 404 });
      expect(await rejection(s.updateKey(String(c.id), 'abc', { enabled: true }, 'root'))).toMatchObject({ status: 404 });
      expect(() => UpdateChannelKey.parse({})).toThrow(/label or enabled/);
      expect(() => UpdateChannelKey.parse({ key: 'sk-x' })).toThrow();
    });

    it('reads each key state from the key bans in force', async () => {
      const c = await channel({ keys: ['sk-a-key-000001', 'sk-b-key-000002', 'sk-c-key-000003', 'sk-d-key-000004'] });
      const ban = (keyIndex: number, reason: 'auth' | 'error_rate', detail?: string) => ({
        channelId: c.id,
        keyIndex,
        reason,
        until: 1,
        nextProbeAt: 1,
        detail,
      });
      health.bans = () =>
        Promise.resolve([
          ban(1, 'auth', 'upstream answered 401: invalid key'),
          ban(2, 'auth', 'upstream answered 402: insufficient credit'),
          ban(3, 'error_rate'),
          { channelId: c.id + 1, keyIndex: 0, reason: 'auth' as const, until: 1, nextProbeAt: 1 },
        ]);
      expect((await s.listKeys(String(c.id))).data.map((k) => [k.status, k.lastError])).toEqual([
        ['ok', null],
        ['auth_failed', 'upstream answered 401: invalid key'],
        ['exhausted', 'upstream answered 402: insufficient credit'],
        ['banned', 'error_rate'],
      ]);
    });

    it('deletes a key keeping the positions of the others, and refuses to delete the last one', async () => {
      const c = await channel({ keys: ['sk-first-key-0001', 'sk-second-key-002', 'sk-third-key-0003'] });
      const keys = (await s.listKeys(String(c.id))).data;
      expect(await s.removeKey(String(c.id), String(keys[1].id), 'root')).toEqual({ deleted: true });
      expect(w.channels[0].keys.map((k) => k.position)).toEqual([0, 2]);
      // the deleted key's bans go with it (a key added later may take its position), and gateways hear of it
      expect(lifted).toEqual([{ channelId: c.id, keyIndex: 1 }]);
      expect(events).toContainEqual({ set: [], lifted: [{ channelId: c.id, keyIndex: 1 }] });
      await s.removeKey(String(c.id), String(keys[0].id), 'root');
      expect(await rejection(s.removeKey(String(c.id), String(keys[2].id), 'root'))).toMatchObject({ status: 400, details: { field: 'keys' } });
      expect(await rejection(s.removeKey(String(c.id), String(keys[0].id), 'root'))).toMatchObject({ status: 404 });
      expect((await s.listKeys(String(c.id))).total).toBe(1);
    });
  });
});
