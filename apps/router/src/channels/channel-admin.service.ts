import { Inject, Injectable } from '@nestjs/common';
import { SecretBox, jsonSchemasOf } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, Subjects, notFound, type AdminReply, type AdminRequest } from '@switchboard/contracts';
import { Prisma, PrismaService, recordAudit } from '@switchboard/db';
import { HEALTH_STORE, type HealthStore } from '@switchboard/health';
import { Bus } from '@switchboard/messaging';
import { ChannelProber } from '../health/channel-prober';
import { CreateAlias, CreateChannel, ListQuery, UpdateAlias, UpdateChannel, type UpdateChannelInput } from './channel.schemas';
import { keepUnchangedMasked, readChannelSecrets, sealChannelSecrets } from './channel-secrets';
import { channelView, type ChannelHealth, type ChannelWithKeys } from './channel.views';

const ok = (body: unknown, status = 200): AdminReply => ({ status, body });
const json = (v: unknown) => v as Prisma.InputJsonValue;

function conflict(err: unknown, what: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
    throw new DomainError('conflict', 400, `${what} already exists`, { field: 'name' });
  }
  throw err;
}

/** Channels (with encrypted keys) and aliases: admin CRUD, validation, audit, and a table-changed event. */
@Injectable()
export class ChannelAdminService {
  private readonly box: SecretBox;

  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: Bus,
    private readonly prober: ChannelProber,
    @Inject(HEALTH_STORE) private readonly health: HealthStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
  }

  async handle(req: AdminRequest): Promise<AdminReply> {
    switch (`${req.resource}.${req.op}`) {
      case 'channels.list':
        return this.list(req.query);
      case 'channels.get': {
        const c = await this.find(req.id);
        return ok(channelView(c, this.box, await this.healthOf([c.id]).then((h) => h.get(c.id))));
      }
      case 'channels.test':
        return this.test(req.id, req.body);
      case 'channels.create':
        return this.create(CreateChannel.parse(req.body), req.actor);
      case 'channels.update':
        return this.update(req.id, UpdateChannel.parse(req.body), req.actor);
      case 'channels.delete':
        return this.remove(req.id, req.actor);
      case 'aliases.list':
        return this.listAliases();
      case 'aliases.create':
        return this.createAlias(req.body, req.actor);
      case 'aliases.update':
        return this.updateAlias(req.id, req.body, req.actor);
      case 'aliases.delete':
        return this.deleteAlias(req.id, req.actor);
      case 'docs.schemas':
        return ok(jsonSchemasOf({ CreateChannel, UpdateChannel, CreateAlias, UpdateAlias }));
      default:
        throw notFound(`admin operation ${req.resource}.${req.op}`);
    }
  }

  private changed(): void {
    this.bus.emit(Subjects.RouterTableChanged, { version: Date.now() });
  }

  private async find(id: string | undefined): Promise<ChannelWithKeys> {
    const n = Number(id);
    const c = Number.isInteger(n) ? await this.prisma.channel.findUnique({ where: { id: n }, include: { keys: true } }) : null;
    if (!c) throw notFound('channel');
    return c;
  }

  private async list(query: Record<string, string>) {
    const q = ListQuery.parse(query);
    const [rows, total] = await Promise.all([
      this.prisma.channel.findMany({ include: { keys: true }, orderBy: { id: 'asc' }, take: q.limit, skip: q.offset }),
      this.prisma.channel.count(),
    ]);
    const health = await this.healthOf(rows.map((c) => c.id));
    return ok({ data: rows.map((c) => channelView(c, this.box, health.get(c.id))), total });
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
  private async test(id: string | undefined, body: unknown) {
    const c = await this.find(id);
    const requested = body && typeof body === 'object' && typeof (body as { model?: unknown }).model === 'string' ? (body as { model: string }).model : null;
    const model = requested ?? ChannelProber.probeModel(c);
    if (!model) throw new DomainError('invalid_request', 400, 'the channel has no testModel and no literal model to test', { field: 'testModel' });
    const r = await this.prober.probe(c, model);
    await this.prisma.channel.update({ where: { id: c.id }, data: { responseTimeMs: r.ok ? r.responseTimeMs : null, lastCheckedAt: new Date() } });
    return ok(r);
  }

  private keyRows(keys: string[]) {
    return keys.map((k, position) => ({ position, keyCiphertext: this.box.encrypt(k), keyHint: k.slice(-4), status: 'enabled' }));
  }

  private async create(b: ReturnType<typeof CreateChannel.parse>, actor: string) {
    const { keys, timeouts, headers, paramOverride, ...rest } = b;
    const created = await this.prisma
      .$transaction(async (tx) => {
        const c = await tx.channel.create({
          data: {
            ...rest,
            modelMapping: json(rest.modelMapping),
            ...sealChannelSecrets({ headers, paramOverride }, this.box),
            statusCodeMapping: json(rest.statusCodeMapping),
            timeouts: timeouts === null ? Prisma.DbNull : json(timeouts),
            keys: { create: this.keyRows(keys) },
          },
          include: { keys: true },
        });
        await recordAudit(tx, { actor, action: 'create', entity: 'channel', entityId: c.id, after: channelView(c, this.box) });
        return c;
      })
      .catch((e) => conflict(e, `channel "${b.name}"`));
    this.changed();
    return ok(channelView(created, this.box), 201);
  }

  private async update(id: string | undefined, b: UpdateChannelInput, actor: string) {
    const before = await this.find(id);
    const { keys, timeouts, modelMapping, headers, paramOverride, statusCodeMapping, ...rest } = b;
    const stored = headers || paramOverride ? readChannelSecrets(before, this.box) : undefined;
    const after = await this.prisma
      .$transaction(async (tx) => {
        if (keys) {
          await tx.channelKey.deleteMany({ where: { channelId: before.id } });
          await tx.channelKey.createMany({ data: this.keyRows(keys).map((k) => ({ ...k, channelId: before.id })) });
        }
        const c = await tx.channel.update({
          where: { id: before.id },
          data: {
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
            timeouts: timeouts === undefined ? undefined : timeouts === null ? Prisma.DbNull : json(timeouts),
          },
          include: { keys: true },
        });
        await recordAudit(tx, {
          actor,
          action: 'update',
          entity: 'channel',
          entityId: c.id,
          before: channelView(before, this.box),
          after: channelView(c, this.box),
        });
        return c;
      })
      .catch((e) => conflict(e, `channel "${b.name}"`));
    this.changed();
    return ok(channelView(after, this.box));
  }

  private async remove(id: string | undefined, actor: string) {
    const before = await this.find(id);
    await this.prisma.$transaction(async (tx) => {
      await tx.channel.delete({ where: { id: before.id } });
      await recordAudit(tx, { actor, action: 'delete', entity: 'channel', entityId: before.id, before: channelView(before, this.box) });
    });
    this.changed();
    return ok({ deleted: true });
  }

  // ---- aliases
  private async listAliases() {
    const rows = await this.prisma.alias.findMany({ orderBy: { name: 'asc' } });
    return ok({ data: rows, total: rows.length });
  }

  private async createAlias(body: unknown, actor: string) {
    const b = CreateAlias.parse(body);
    const row = await this.prisma
      .$transaction(async (tx) => {
        const a = await tx.alias.create({ data: { name: b.name, targets: json(b.targets), fallbacks: b.fallbacks } });
        await recordAudit(tx, { actor, action: 'create', entity: 'alias', entityId: a.name, after: a });
        return a;
      })
      .catch((e) => conflict(e, `alias "${b.name}"`));
    this.changed();
    return ok(row, 201);
  }

  private async updateAlias(name: string | undefined, body: unknown, actor: string) {
    const b = UpdateAlias.parse(body);
    const before = await this.prisma.alias.findUnique({ where: { name: name ?? '' } });
    if (!before) throw notFound('alias');
    const row = await this.prisma.$transaction(async (tx) => {
      const a = await tx.alias.update({ where: { name: before.name }, data: { targets: b.targets && json(b.targets), fallbacks: b.fallbacks } });
      await recordAudit(tx, { actor, action: 'update', entity: 'alias', entityId: a.name, before, after: a });
      return a;
    });
    this.changed();
    return ok(row);
  }

  private async deleteAlias(name: string | undefined, actor: string) {
    const before = await this.prisma.alias.findUnique({ where: { name: name ?? '' } });
    if (!before) throw notFound('alias');
    await this.prisma.$transaction(async (tx) => {
      await tx.alias.delete({ where: { name: before.name } });
      await recordAudit(tx, { actor, action: 'delete', entity: 'alias', entityId: before.name, before });
    });
    this.changed();
    return ok({ deleted: true });
  }
}
