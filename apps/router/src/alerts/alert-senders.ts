import type { AlertChannelType, AlertEvent } from '@switchboard/contracts';
import { createTransport, type Transporter } from 'nodemailer';
import { DeliveryError } from './alert-retry';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature';

/** A channel with its secrets open, as delivery needs it. */
export interface OpenAlertChannel {
  id: number;
  name: string;
  type: AlertChannelType;
  target: string;
  secret: string | null;
  /** the secret a rotation replaced, and until when it still signs (beside `secret`) */
  previousSecret: string | null;
  previousSecretUntil: Date | null;
}

/** What a webhook receives as its JSON body (README "Alerts"). */
export type AlertPayload = AlertEvent & { id: string; test?: boolean };

export interface SenderOptions {
  smtpUrl?: string;
  from: string;
  timeoutMs: number;
}

const transientStatus = (s: number) => s === 408 || s === 429 || s >= 500;

function detailLines(p: AlertPayload): string[] {
  return Object.entries(p.details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
}

/** Slack's incoming-webhook shape: `text` for notifications, `blocks` for the message itself. */
export function slackMessage(p: AlertPayload): { text: string; blocks: unknown[] } {
  const icon = p.severity === 'critical' ? ':rotating_light:' : p.severity === 'warning' ? ':warning:' : ':information_source:';
  const text = `${icon} [Switchboard] ${p.summary}`;
  const fields = [`*Event*\n${p.event}`, `*Subject*\n${p.subject}`, ...detailLines(p).map((l) => l.replace(/^([^:]+): /, '*$1*\n'))].slice(0, 10);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn', text: f.slice(0, 2000) })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${p.severity} · ${p.occurredAt}${p.test ? ' · test' : ''}` }] },
    ],
  };
}

/**
 * Delivers one alert to one channel, once (the caller retries): a signed JSON webhook, a Slack incoming webhook or a
 * mail over SMTP_URL. Throws a DeliveryError that says whether trying again may help.
 */
export class AlertSenders {
  private mailer?: Transporter;

  constructor(
    private readonly options: SenderOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async send(channel: OpenAlertChannel, payload: AlertPayload): Promise<void> {
    if (channel.type === 'email') return this.mail(channel.target, payload);
    const body = JSON.stringify(channel.type === 'slack' ? slackMessage(payload) : payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Switchboard-Alerts' };
    if (channel.type === 'webhook') {
      headers['switchboard-event'] = payload.event;
      headers['switchboard-delivery'] = payload.id;
      if (channel.secret) {
        const now = this.now();
        const previous = channel.previousSecretUntil && channel.previousSecretUntil.getTime() > now ? channel.previousSecret : null;
        headers[SIGNATURE_HEADER] = signWebhook(channel.secret, body, Math.floor(now / 1000), previous);
      }
    }
    let res: Response;
    try {
      res = await fetch(channel.target, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.options.timeoutMs), redirect: 'manual' });
    } catch (e) {
      const err = e as Error;
      const reason = err.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : ((err.cause as Error | undefined)?.message ?? err.message);
      throw new DeliveryError(reason, true);
    }
    await res.body?.cancel().catch(() => undefined);
    if (!res.ok) throw new DeliveryError(`${channel.type} answered HTTP ${res.status}`, transientStatus(res.status));
  }

  private async mail(to: string, p: AlertPayload): Promise<void> {
    if (!this.options.smtpUrl) throw new DeliveryError('SMTP_URL is not set', false);
    const t = this.options.timeoutMs;
    this.mailer ??= createTransport({ url: this.options.smtpUrl, connectionTimeout: t, greetingTimeout: t, socketTimeout: t });
    const text = [p.summary, '', `event: ${p.event}`, `subject: ${p.subject}`, `severity: ${p.severity}`, ...detailLines(p), `at: ${p.occurredAt}`].join('\n');
    try {
      await this.mailer.sendMail({
        from: this.options.from,
        to,
        subject: `[Switchboard]${p.test ? ' [test]' : ''} ${p.summary}`,
        text,
        headers: { 'X-Switchboard-Event': p.event, 'X-Switchboard-Delivery': p.id },
      });
    } catch (e) {
      const err = e as Error & { responseCode?: number };
      // SMTP 5xx is a refusal (bad recipient, auth): trying again will not help; 4xx and connection trouble may.
      throw new DeliveryError(`smtp: ${err.message}`, !(err.responseCode && err.responseCode >= 500));
    }
  }

  close(): void {
    this.mailer?.close();
  }
}
