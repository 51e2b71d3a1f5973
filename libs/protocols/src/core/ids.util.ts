import type { ConvertContext } from '../protocol.types';

/** Deterministic ids from the request id, so a retry of the same translation gives the same bytes. */
export function idBase(ctx: ConvertContext): string {
  const s = ctx.requestId.replace(/[^A-Za-z0-9]/g, '');
  return (s.length > 0 ? s : 'sb').slice(0, 24);
}

export function createdAt(ctx: ConvertContext, upstream?: number): number {
  return ctx.createdAt ?? upstream ?? Math.floor(Date.now() / 1000);
}

/**
 * Gemini 3 needs every replayed functionCall to carry its thoughtSignature (§9.12). Clients of
 * other protocols only keep the tool-call id, so the signature rides inside it:
 * `<id>__sbts__<base64url(signature)>`. Ids stay within `[A-Za-z0-9_-]` (Anthropic's pattern).
 */
const TS_SEP = '__sbts__';

export function encodeToolCallId(id: string, thoughtSignature: string | undefined): string {
  if (!thoughtSignature) return id;
  return `${id}${TS_SEP}${Buffer.from(thoughtSignature, 'utf8').toString('base64url')}`;
}

export function decodeToolCallId(id: string): { id: string; thoughtSignature?: string } {
  const at = id.indexOf(TS_SEP);
  if (at < 0) return { id };
  const sig = Buffer.from(id.slice(at + TS_SEP.length), 'base64url').toString('utf8');
  return sig ? { id: id.slice(0, at), thoughtSignature: sig } : { id: id.slice(0, at) };
}

/**
 * Reasoning state that a client protocol has no native field for (e.g. an OpenAI Responses
 * `encrypted_content` shown to an Anthropic client as a thinking `signature`) is carried as an
 * opaque string `sbx1.<base64url(JSON)>` and restored when the client replays it.
 */
export interface OpaqueReasoning {
  signature?: string;
  redactedData?: string;
  encryptedContent?: string;
  reasoningId?: string;
  thoughtSignature?: string;
}

const OPAQUE_PREFIX = 'sbx1.';

export function packReasoning(state: OpaqueReasoning): string {
  return OPAQUE_PREFIX + Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function unpackReasoning(value: string | undefined): OpaqueReasoning | undefined {
  if (!value || !value.startsWith(OPAQUE_PREFIX)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value.slice(OPAQUE_PREFIX.length), 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const o = parsed as Record<string, unknown>;
    const out: OpaqueReasoning = {};
    for (const k of ['signature', 'redactedData', 'encryptedContent', 'reasoningId', 'thoughtSignature'] as const) {
      const v = o[k];
      if (typeof v === 'string') out[k] = v;
    }
    return out;
  } catch {
    return undefined;
  }
}

export function isPacked(value: string | undefined): boolean {
  return !!value && value.startsWith(OPAQUE_PREFIX);
}

/** Placeholder accepted by Gemini when a replayed function call's real signature is unknown. */
export const GEMINI_DUMMY_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';
