/**
 * Carries reasoning state through a client protocol that has no native slot for the upstream's
 * kind of signature (see ids.util `packReasoning`). Each client protocol has one native slot:
 * Anthropic / OpenAI-chat `thinking_blocks[].signature`, Responses `encrypted_content`,
 * Gemini `thoughtSignature`.
 */
import type { IrThinkingPart } from './ir.types';
import { packReasoning, unpackReasoning, type OpaqueReasoning } from './ids.util';

export type ReasoningSlot = 'anthropic-signature' | 'responses-encrypted' | 'gemini-signature';

function opaqueOf(p: IrThinkingPart): OpaqueReasoning {
  const o: OpaqueReasoning = {};
  if (p.signature) o.signature = p.signature;
  if (p.redactedData) o.redactedData = p.redactedData;
  if (p.encryptedContent) o.encryptedContent = p.encryptedContent;
  if (p.reasoningId) o.reasoningId = p.reasoningId;
  if (p.thoughtSignature) o.thoughtSignature = p.thoughtSignature;
  return o;
}

/** Value to write into the client's native slot, or undefined if there is nothing to carry. */
export function reasoningSlotValue(p: IrThinkingPart, slot: ReasoningSlot): string | undefined {
  const o = opaqueOf(p);
  const keys = Object.keys(o) as (keyof OpaqueReasoning)[];
  if (keys.length === 0) return undefined;
  if (slot === 'anthropic-signature' && keys.length === 1 && o.signature) return o.signature;
  if (slot === 'gemini-signature' && keys.length === 1 && o.thoughtSignature) return o.thoughtSignature;
  if (slot === 'responses-encrypted' && o.encryptedContent && keys.every((k) => k === 'encryptedContent' || k === 'reasoningId')) {
    return o.encryptedContent;
  }
  return packReasoning(o);
}

/** Restores reasoning state read from a client's native slot. */
export function applyReasoningSlot(part: IrThinkingPart, slot: ReasoningSlot, value: string | undefined): IrThinkingPart {
  if (!value) return part;
  const unpacked = unpackReasoning(value);
  if (unpacked) return Object.assign(part, unpacked);
  if (slot === 'anthropic-signature') part.signature = value;
  else if (slot === 'responses-encrypted') part.encryptedContent = value;
  else part.thoughtSignature = value;
  return part;
}

export type ThinkingState = Pick<IrThinkingPart, 'signature' | 'redactedData' | 'encryptedContent' | 'reasoningId' | 'thoughtSignature'>;

/** Copies the opaque reasoning fields (only those set) from a thinking part or `thinking_end` event. */
export function thinkingStateOf(src: ThinkingState): ThinkingState {
  const out: ThinkingState = {};
  if (src.signature) out.signature = src.signature;
  if (src.redactedData) out.redactedData = src.redactedData;
  if (src.encryptedContent) out.encryptedContent = src.encryptedContent;
  if (src.reasoningId) out.reasoningId = src.reasoningId;
  if (src.thoughtSignature) out.thoughtSignature = src.thoughtSignature;
  return out;
}
