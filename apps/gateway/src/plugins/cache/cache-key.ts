import { createHash } from 'node:crypto';
import { protocolDescriptor } from '@switchboard/protocols';
import { stringify } from 'safe-stable-stringify';
import type { InboundCall } from '../../relay/inbound';

/**
 * Top-level body fields that do not change the answer, left out of the key: who asks (`user`, `safety_identifier`,
 * `metadata`), what the provider keeps or how it schedules (`store`, `service_tier`, `prompt_cache_key`,
 * `prompt_cache_retention`) and `stream` (the call's stream flag is in the key on its own, also for Gemini's path
 * actions). Everything else stays, sampling included (`temperature`, `seed`…): a hit is the stored answer, the same
 * one for every caller; `stream_options` stays because it shapes the stream (its usage chunk).
 */
export const IGNORED_FIELDS: ReadonlySet<string> = new Set([
  'user',
  'metadata',
  'safety_identifier',
  'store',
  'service_tier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'stream',
]);

type KeyedCall = Pick<InboundCall, 'protocol' | 'endpoint' | 'model' | 'stream' | 'body'>;
type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The request as the cache compares it: where it was sent (protocol, endpoint, model, stream, group), the client headers
 * its protocol forwards upstream (`anthropic-beta` turns features on) and its body.
 */
export function normalisedRequest(call: KeyedCall, group: string, headers: Headers = {}): string {
  const body: Record<string, unknown> = {};
  for (const k of Object.keys(call.body)) if (!IGNORED_FIELDS.has(k)) body[k] = call.body[k];
  const forwarded: Record<string, string | string[]> = {};
  for (const h of protocolDescriptor(call.protocol).passthroughHeaders) {
    const v = headers[h];
    if (v !== undefined) forwarded[h] = v;
  }
  // keys sorted at every depth: the same request in another key order is the same entry
  return stringify({ v: 1, protocol: call.protocol, endpoint: call.endpoint, model: call.model, stream: call.stream, group, headers: forwarded, body }) ?? '';
}

/** The entry's key: sha256 of the normalised request (the prompt itself is not kept in the key). */
export function cacheKeyOf(call: KeyedCall, group: string, headers: Headers = {}): string {
  return createHash('sha256')
    .update(normalisedRequest(call, group, headers))
    .digest('hex');
}
