import type { CallArgs } from '../../api/admin-client';
import { configForType } from './channel-types';
import { keysFromText } from './key-import';

/** The create-channel form as typed (strings as the inputs hold them) and its translation to the API body. */
export interface ChannelDraft {
  name: string;
  type: string;
  baseUrl: string;
  keys: string;
  models: string;
  priority: number;
  weight: number;
  /** the type's settings as typed (CHANNEL_CONFIG_FIELDS) */
  config: Record<string, string>;
}

export const emptyChannelDraft: ChannelDraft = { name: '', type: 'openai', baseUrl: '', keys: '', models: '', priority: 0, weight: 1, config: {} };

type CreateBody = NonNullable<CallArgs<'channels.create'>['body']>;

export function channelDraftToBody(d: ChannelDraft): CreateBody {
  const list = (s: string, sep: RegExp) =>
    s
      .split(sep)
      .map((x) => x.trim())
      .filter(Boolean);
  const baseUrl = d.baseUrl.trim();
  const config = configForType(d.type.trim(), d.config);
  return {
    name: d.name.trim(),
    type: d.type.trim(),
    ...(baseUrl ? { baseUrl } : {}),
    keys: keysFromText(d.keys),
    models: list(d.models, /[,\s]+/),
    priority: d.priority,
    weight: d.weight,
    ...(Object.keys(config).length ? { config } : {}),
  };
}
