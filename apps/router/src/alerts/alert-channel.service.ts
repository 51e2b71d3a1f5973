import { randomUUID } from 'node:crypto';
import { maskSecret, type SecretBox } from '@switchboard/common';
import {
  alertTargetSchema,
  badRequest,
  notFound,
  type AlertChannelType,
  type AlertEventName,
  type CreateAlertChannel,
  type RotateAlertSecret,
  type TestAlertChannel,
  type UpdateAlertChannel,
} from '@switchboard/contracts';
import type { AlertChannel } from '@switchboard/db';
import type { z } from 'zod';
import type { AlertChannels, AlertChannelData } from './alert-channel.repository';
import { sealTarget, targetIsSecret } from './alert-channel.secrets';
import type { AlertDispatcher } from './alert-dispatcher.service';
import { newWebhookSecret } from './webhook-signature';

/** `email ops@example.com`, `slack hooks.slack.com`: what a channel is called when no name is given. */
const defaultName = (type: AlertChannelType, target: string) => `${type} ${type === 'email' ? target.split(',')[0].trim() : new URL(target.trim()).host}`;

/**
 * `/api/alert-channels`: create, change, delete and test alert channels. A webhook channel gets a signing secret at
 * creation, answered that once; secrets and Slack URLs are sealed with SECRET_KEY and answered masked; every change is
 * audited.
 */
export class AlertChannelService {
  constructor(
    private readonly repo: AlertChannels,
    private readonly box: SecretBox,
    private readonly dispatcher: AlertDispatcher,
    private readonly now: () => number = Date.now,
  ) {}

  private view(row: AlertChannel, secret?: string) {
    let target = row.target;
    if (targetIsSecret(row.type)) {
      try {
        target = maskSecret(this.box.decrypt(row.target));
      } catch {
        target = '****';
      }
    }
    return {
      id: row.id,
      name: row.name,
      type: row.type as AlertChannelType,
      target,
      events: row.events,
      enabled: row.enabled,
      ...(secret ? { secret } : {}),
      previousSecretUntil:
        row.previousSecret && row.previousSecretUntil && row.previousSecretUntil.getTime() > this.now() ? row.previousSecretUntil.toISOString() : null,
      lastDeliveryAt: row.lastDeliveryAt?.toISOString() ?? null,
      lastError: row.lastError,
      createdAt: row.createdAt.toISOString(),
    };
  }

  private async find(id: string | undefined): Promise<AlertChannel> {
    const n = Number(id);
    const row = Number.isInteger(n) && n > 0 && n <= 2_147_483_647 ? await this.repo.find(n) : null;
    if (!row) throw notFound('alert channel');
    return row;
  }

  async list() {
    const data = (await this.repo.all()).map((r) => this.view(r));
    return { data, total: data.length };
  }

  async create(body: z.output<typeof CreateAlertChannel>, actor: string) {
    const secret = body.type === 'webhook' ? newWebhookSecret() : undefined;
    const data: AlertChannelData = {
      name: body.name ?? defaultName(body.type, body.target),
      type: body.type,
      target: sealTarget(body.type, body.target.trim(), this.box),
      events: body.events,
      secret: secret ? this.box.encrypt(secret) : null,
      previousSecret: null,
      previousSecretUntil: null,
      enabled: body.enabled,
    };
    const row = await this.repo.create(data, (r) => ({ actor, action: 'create', entity: 'alert_channel', entityId: r.id, after: this.view(r) }));
    return this.view(row, secret);
  }

  async update(id: string | undefined, body: z.output<typeof UpdateAlertChannel>, actor: string) {
    const before = await this.find(id);
    const type = before.type as AlertChannelType;
    const data: Partial<AlertChannelData> = {};
    // The console sends back the masked Slack URL it read: that keeps the stored one.
    if (body.target !== undefined && !(targetIsSecret(type) && body.target === this.view(before).target)) {
      const t = alertTargetSchema(type).safeParse(body.target);
      if (!t.success) throw badRequest(`target: ${t.error.issues[0].message}`, { field: 'target' });
      data.target = sealTarget(type, t.data, this.box);
    }
    if (body.name !== undefined) data.name = body.name;
    if (body.events !== undefined) data.events = body.events;
    if (body.enabled !== undefined) data.enabled = body.enabled;
    const row = await this.repo.update(before.id, data, (r) => ({
      actor,
      action: 'update',
      entity: 'alert_channel',
      entityId: r.id,
      before: this.view(before),
      after: this.view(r),
    }));
    return this.view(row);
  }

  async remove(id: string | undefined, actor: string) {
    const row = await this.find(id);
    await this.repo.delete(row.id, { actor, action: 'delete', entity: 'alert_channel', entityId: row.id, before: this.view(row) });
    return { deleted: true as const };
  }

  /**
   * A webhook channel's new signing secret, answered this once. The replaced secret keeps signing beside it (a second
   * `v1=`) for `graceHours`, so a receiver can switch without refusing deliveries; a rotation within the grace period
   * drops the secret before the replaced one (two signatures at most).
   */
  async rotateSecret(id: string | undefined, body: z.output<typeof RotateAlertSecret>, actor: string) {
    const before = await this.find(id);
    if (before.type !== 'webhook') throw badRequest(`a ${before.type} channel has no signing secret: only webhook channels are signed`);
    const secret = newWebhookSecret();
    const grace = body.graceHours > 0 && before.secret !== null;
    const data: Partial<AlertChannelData> = {
      secret: this.box.encrypt(secret),
      previousSecret: grace ? before.secret : null,
      previousSecretUntil: grace ? new Date(this.now() + body.graceHours * 3_600_000) : null,
    };
    const row = await this.repo.update(before.id, data, (r) => ({
      actor,
      action: 'update',
      entity: 'alert_channel',
      entityId: r.id,
      before: this.view(before),
      after: { ...this.view(r), secretRotated: true, graceHours: body.graceHours },
    }));
    return this.view(row, secret);
  }

  /** Sends a test alert now (not deduplicated or rate-limited) and answers whether it arrived. */
  async test(id: string | undefined, body: z.output<typeof TestAlertChannel>) {
    const row = await this.find(id);
    const event = body.event ?? ((row.events[0] ?? 'balance_low') as AlertEventName);
    return this.dispatcher.deliver(row, {
      id: `alrt_${randomUUID()}`,
      event,
      subject: 'test',
      severity: 'info',
      summary: `Test alert for "${row.name}": this channel receives Switchboard alerts`,
      details: { channelId: row.id, events: row.events.join(', ') },
      occurredAt: new Date().toISOString(),
      test: true,
    });
  }
}
