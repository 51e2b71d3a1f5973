/** What OpenAI's Chat and Completions answers and chunks share around their choices: identity and in-stream errors. */
import type { IrStreamEvent } from './ir.types';
import { asNumber, asObject, asString, type JsonObject } from './json.util';

/** `id`, `model` and `created` of an answer or chunk, each only when present (the IR keeps absent fields absent). */
export function openAiIdentity(obj: JsonObject): { id?: string; model?: string; created?: number } {
  const out: { id?: string; model?: string; created?: number } = {};
  const id = asString(obj['id']);
  if (id) out.id = id;
  const model = asString(obj['model']);
  if (model) out.model = model;
  const created = asNumber(obj['created']);
  if (created !== undefined) out.created = created;
  return out;
}

/** An `{ error: … }` chunk (or an `event: error` frame) as the IR's in-stream error. */
export function openAiStreamError(err: unknown): IrStreamEvent {
  const e = asObject(err) ?? {};
  const type = asString(e['type']);
  const code = asString(e['code']);
  return {
    type: 'error',
    error: {
      status: asNumber(e['status']) ?? (typeof e['code'] === 'number' ? e['code'] : 500),
      message: asString(e['message']) ?? (typeof err === 'string' ? err : 'Upstream stream error'),
      ...(type ? { type } : {}),
      ...(code ? { code } : {}),
    },
  };
}
