import type { SecretBox } from '@switchboard/common';
import type { AlertChannelType } from '@switchboard/contracts';
import type { AlertChannel } from '@switchboard/db';
import type { OpenAlertChannel } from './alert-senders';

/** A Slack incoming-webhook URL is itself the credential: stored sealed like a webhook's signing secret. */
export const targetIsSecret = (type: string) => type === 'slack';

export function sealTarget(type: AlertChannelType, target: string, box: SecretBox): string {
  return targetIsSecret(type) ? box.encrypt(target) : target;
}

/** Throws when SECRET_KEY cannot open what was sealed under another key. */
export function openChannel(row: AlertChannel, box: SecretBox): OpenAlertChannel {
  return {
    id: row.id,
    name: row.name,
    type: row.type as AlertChannelType,
    target: targetIsSecret(row.type) ? box.decrypt(row.target) : row.target,
    secret: row.secret ? box.decrypt(row.secret) : null,
    previousSecret: row.previousSecret ? box.decrypt(row.previousSecret) : null,
    previousSecretUntil: row.previousSecretUntil,
  };
}
