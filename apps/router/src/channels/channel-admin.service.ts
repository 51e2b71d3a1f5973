import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import {
  DomainError,
  Subjects,
  notFound,
  type ChannelListQuery,
  badRequest,
  type AddChannelKeysInput,
  type CreateAlias,
  type CreateChannelInput,
  type TestChannel,
  type UpdateAlias,
  type UpdateChannelInput,
  type UpdateChannelKeyInput,
} from '@switchboard/contracts';
import { Prisma } from '@switchboard/db';
import { HEALTH_STORE, type HealthStore } from '@switchboard/health';
import { Bus } from '@switchboard/messaging';
import type { z } from 'zod';
import { ChannelProber } from '../health/channel-prober';
import { AliasRepository, type Aliases } from './alias.repository';
import { keepUnchangedMasked, readChannelSecrets, sealChannelSecrets } from './channel-secrets';
import { maskChannelKey } from './channel-key.mask';
import { ChannelRepository, type AdminChannels, type ChannelKeyRow, type KeyPoolChange } from './channel.repository';
import { channelConfig, channelKeyView, channelView, storedBalance, type ChannelHealth, type ChannelWithKeys } from './channel.views';
import { channelConfigProblem } from '@switchboard/providers';

const json = (v: unknown) => v as Prisma.InputJsonValue;

function conflict(err: unknown, what: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
    throw new DomainError('conflict', 400, `${what} already exists`, { field: 'name' });
  }
  throw err;
}

/**
 * Channels (with encrypted keys) and aliases: admin CRUD, audit, and a table-changed event. Inputs arrive parsed
 * (AdminDispatcher, with the route's schema); answers are the views, errors DomainErrors.
 */
@Injectable()
export class ChannelAdminService {
  private readonly box: SecretBox;

  constructor(
    @Inject(ChannelRepository) private readonly channels: AdminChannels,
    @Inject(AliasRepository) private readonly aliases: Aliases,
    private readonly bus: Bus,
    private readonly prober: ChannelProber,
    @Inject(HEALTH_STORE) private readonly health: HealthStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
  }

  async get(id: string | undefined) {
    const c = await this.find(id);
    return { ...channelView(c, this.box, await this.healthOf([c.id]).then((h) => h.get(c.id))), balance: storedBalance(c) };
  }

  private changed(): void {
    this.bus.emit(Subjects.RouterTableChanged, { version: Date.now() });
  }

  private async find(id: string | undefined): Promise<ChannelWithKeys> {
    const n = Number(id);
    const c = Number.isInteger(n) ? await this.channels.withKeys(n) : null;
    if (!c) throw notFound('channel');
    return c;
  }

  async list(q: z.output<typeof ChannelListQuery>) {
    const { rows, total } = await this.channels.page(q.limit, q.offset);
    const health = await this.healthOf(rows.map((c) => c.id));
    return { data: rows.map((c) => ({ ...channelView(c, this.box, health.get(c.id)), balance: storedBalance(c) })), total };
  }

  /** Bans and the error-rate window of each channel, from the store every gateway writes to. */
  private async healthOf(ids: number[]): Promise<Map<number, ChannelHealth>> {
    const out = new Map<number, ChannelHealth>();
    try {
      const bans = await this.health.bans();
      for (const id of ids) out.set(id, { bans: bans.filter((b) => b.channelId === id), window: await this.health.channelWindow(id) });
    } catch {
      // Health is advisory in the admin view: a Redis hiccup must not hide the channels.
    }
    return out;
  }

  /** POST /api/channels/:id/test: one probe now; records response time and check time. */
  async test(id: string | undefined, body: z.output<typeof TestChannel>) {
    const c = await this.find(id);
    const requested = body.model ?? null;
    const model = requested ?? ChannelProber.probeModel(c);
    if (!model) throw new DomainError('invalid_request', 400, 'the channel has no testModel and no literal model to test', { field: 'testModel' });
    const r = await this.prober.probe(c, model);
    await this.channels.recordCheck(c.id, r.ok ? r.responseTimeMs : null, new Date());
    return r;
  }

  private keyRows(keys: string[]): ChannelKeyRow[] {
    return keys.map((k, position) => ({ position, keyCiphertext: this.box.encrypt(k), keyHint: k.slice(-4), status: 'enabled' }));
  }

  async create(b: CreateChannelInput, actor: string) {
    const { keys, timeouts, headers, paramOverride, endpoints, config, ...rest } = b;
    const created = await this.channels
      .create(
        {
          ...rest,
          // none declared (null or empty): the type's defaults
          endpoints: endpoints ?? [],
          config: json(config),
          modelMapping: json(rest.modelMapping),
          ...sealChannelSecrets({ headers, paramOverride }, this.box),
          statusCodeMapping: json(rest.statusCodeMapping),
          timeouts: timeouts === null ? Prisma.DbNull : json(timeouts),
          keys: { create: this.keyRows(keys) },
        },
        (c) => ({ actor, action: 'create', entity: 'channel', entityId: c.id, after: channelView(c, this.box) }),
      )
      .catch((e) => conflict(e, `channel "${b.name}"`));
    this.changed();
    return channelView(created, this.box);
  }

  async update(id: string | undefined, b: UpdateChannelInput, actor: string) {
    const before = await this.find(id);
    const { keys, timeouts, modelMapping, headers, paramOverride, statusCodeMapping, endpoints, config, ...rest } = b;
    // The settings must suit the type the channel ends up with (a type change re-checks the stored ones).
    if (config !== undefined || rest.type !== undefined) {
      const problem = channelConfigProblem(rest.type ?? before.type, config ?? channelConfig(before));
      if (problem) throw new DomainError('invalid_request', 400, `config.${problem.field}: ${problem.message}`, { field: `config.${problem.field}` });
    }
    const stored = headers || paramOverride ? readChannelSecrets(before, this.box) : undefined;
    const after = await this.channels
      .update(
        before.id,
        keys && this.keyRows(keys),
        {
          ...rest,
          modelMapping: modelMapping && json(modelMapping),
          ...sealChannelSecrets(
            {
              headers: headers && (keepUnchangedMasked(headers, stored!.headers) as Record<string, string>),
              paramOverride: paramOverride && keepUnchangedMasked(paramOverride, stored!.paramOverride),
            },
            this.box,
          ),
          statusCodeMapping: statusCodeMapping && json(statusCodeMapping),
          endpoints: endpoints === undefined ? undefined : (endpoints ?? []),
          config: config && json(config),
          timeouts: timeouts === undefined ? undefined : timeouts === null ? Prisma.DbNull : json(timeouts),
        },
        (c) => ({
          actor,
          action: 'update',
          entity: 'channel',
          entityId: c.id,
          before: channelView(before, this.box),
          after: channelView(c, this.box),
        }),
      )
      .catch((e) => conflict(e, `channel "${b.name}"`));
    this.changed();
    return channelView(after, this.box);
  }

  async remove(id: string | undefined, actor: string) {
    const before = await this.find(id);
    await this.channels.delete(before.id, { actor, action: 'delete', entity: 'channel', entityId: before.id, before: channelView(before, this.box) });
    this.changed();
    return { deleted: true as const };
  }

  // ---- the key pool (SPEC §8). Every change is audited as a channel update (snapshots mask the keys) and emits the
  // table-changed event, so gateways stop (or start) using a key within the propagation bound without the channel
  // itself being rewritten.

  private keyId(keyId: string | undefined): number {
    const n = Number(keyId);
    if (!Number.isInteger(n) || n <= 0) throw notFound('key');
    return n;
  }

  private async keyBans(channelId: number) {
    try {
      return (await this.health.bans()).filter((b) => b.channelId === channelId && b.keyIndex !== undefined);
    } catch {
      return []; // advisory, as in the channel list
    }
  }

  private auditKeys(actor: string) {
    return ({ before, after }: KeyPoolChange) => ({
      actor,
      action: 'update' as const,
      entity: 'channel' as const,
      entityId: after.id,
      before: channelView(before, this.box),
      after: channelView(after, this.box),
    });
  }

  /** `refresh`: reads the provider-reported allowances first (`?refresh=1`), then answers the pool as stored. */
  async listKeys(id: string | undefined, refresh?: (c: ChannelWithKeys) => Promise<void>) {
    let c = await this.find(id);
    if (refresh) {
      await refresh(c);
      c = await this.find(id);
    }
    const bans = await this.keyBans(c.id);
    const keys = [...c.keys].sort((a, b) => a.position - b.position);
    return { data: keys.map((k) => channelKeyView(k, this.box, bans)), total: keys.length };
  }

  /** Adds the batch; a key already in the pool (compared decrypted) or repeated in the batch is skipped and reported. */
  async addKeys(id: string | undefined, b: AddChannelKeysInput, actor: string) {
    const c = await this.find(id);
    const skipped: { index: number; masked: string; reason: 'duplicate' }[] = [];
    const change = await this.channels.addKeys(
      c.id,
      (existing) => {
        const seen = new Set<string>();
        for (const k of existing) {
          try {
            seen.add(this.box.decrypt(k.keyCiphertext));
          } catch {
            // sealed under another SECRET_KEY: it cannot be compared, and the new key is still worth adding
          }
        }
        return b.keys.flatMap((key, index) => {
          if (seen.has(key)) {
            skipped.push({ index, masked: maskChannelKey(key), reason: 'duplicate' });
            return [];
          }
          seen.add(key);
          return [{ keyCiphertext: this.box.encrypt(key), keyHint: key.slice(-4), status: 'enabled' }];
        });
      },
      this.auditKeys(actor),
    );
    if (!change) throw notFound('channel');
    if (change.keys.length) this.changed();
    return { added: change.keys.map((k) => channelKeyView(k, this.box)), skipped };
  }

  async updateKey(id: string | undefined, keyId: string | undefined, b: UpdateChannelKeyInput, actor: string) {
    const c = await this.find(id);
    const data = { label: b.label, status: b.enabled === undefined ? undefined : b.enabled ? 'enabled' : 'disabled' };
    const change = await this.channels.updateKey(c.id, this.keyId(keyId), data, this.auditKeys(actor));
    if (!change) throw notFound('key');
    this.changed();
    return channelKeyView(change.keys[0], this.box, await this.keyBans(c.id));
  }

  /** The last key cannot go: a channel without keys could not serve, and create refuses one (`keys`: at least one). */
  async removeKey(id: string | undefined, keyId: string | undefined, actor: string) {
    const c = await this.find(id);
    const change = await this.channels.deleteKey(
      c.id,
      this.keyId(keyId),
      (existing) => {
        if (existing.length <= 1) throw badRequest('keys: a channel keeps at least one key; delete the channel instead', { field: 'keys' });
      },
      this.auditKeys(actor),
    );
    if (!change) throw notFound('key');
    // a key added later may take this position (bans and error windows are kept per position): nothing of the
    // deleted key's ban may stick to it
    const target = { channelId: c.id, keyIndex: change.keys[0].position };
    try {
      await this.health.liftBan(target);
    } catch {
      // advisory, as the reads: an unlifted ban still expires or is lifted by its probe
    }
    this.bus.emit(Subjects.RouterBansChanged, { set: [], lifted: [target] });
    this.changed();
    return { deleted: true as const };
  }

  // ---- aliases
  async listAliases() {
    const rows = await this.aliases.list();
    return { data: rows, total: rows.length };
  }

  async createAlias(b: z.output<typeof CreateAlias>, actor: string) {
    const row = await this.aliases
      .create({ name: b.name, targets: json(b.targets), fallbacks: b.fallbacks }, (a) => ({
        actor,
        action: 'create',
        entity: 'alias',
        entityId: a.name,
        after: a,
      }))
      .catch((e) => conflict(e, `alias "${b.name}"`));
    this.changed();
    return row;
  }

  async updateAlias(name: string | undefined, b: z.output<typeof UpdateAlias>, actor: string) {
    const before = await this.aliases.byName(name ?? '');
    if (!before) throw notFound('alias');
    const row = await this.aliases.update(before.name, { targets: b.targets && json(b.targets), fallbacks: b.fallbacks }, (a) => ({
      actor,
      action: 'update',
      entity: 'alias',
      entityId: a.name,
      before,
      after: a,
    }));
    this.changed();
    return row;
  }

  async deleteAlias(name: string | undefined, actor: string) {
    const before = await this.aliases.byName(name ?? '');
    if (!before) throw notFound('alias');
    await this.aliases.delete(before.name, { actor, action: 'delete', entity: 'alias', entityId: before.name, before });
    this.changed();
    return { deleted: true as const };
  }
}
