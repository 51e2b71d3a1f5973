/** Reads request properties the gateway needs before converting (quota reservation, routing). */
import { asObject, field } from '../core/json.util';
import { COMPLETIONS_DEFAULT_MAX_TOKENS } from '../openai-completions/openai-completions-request.decoder';
import { ProtocolError } from '../protocol.error';
import type { WireProtocol } from '../protocol.types';

/**
 * The largest output budget a request may name. Every vendor's limit is far below it, and it keeps the reservation
 * (tokens × price, in BigInt and then back to a safe integer) and the TPM estimate exact.
 */
export const MAX_OUTPUT_TOKENS = 2 ** 31 - 1;

/** A client's output budget: absent/null → null; anything but an integer in 1..MAX_OUTPUT_TOKENS → 400 naming it. */
function outputBudget(v: unknown, param: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_OUTPUT_TOKENS) return v;
  const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v === 'number' ? String(v) : `a ${Array.isArray(v) ? 'array' : typeof v}`;
  throw new ProtocolError(`Invalid '${param}': ${shown}. Expected an integer between 1 and ${MAX_OUTPUT_TOKENS}.`, { param });
}

/** The output budget the client asked for, validated (throws ProtocolError 400 naming the parameter). */
export function requestedMaxOutputTokens(protocol: WireProtocol, body: Record<string, unknown>): number | null {
  switch (protocol) {
    case 'openai-chat': {
      // Both are checked: a bad one must not slip through because the other is set.
      const completion = outputBudget(body['max_completion_tokens'], 'max_completion_tokens');
      const legacy = outputBudget(body['max_tokens'], 'max_tokens');
      return completion ?? legacy;
    }
    case 'openai-responses':
      return outputBudget(body['max_output_tokens'], 'max_output_tokens');
    case 'anthropic':
      return outputBudget(body['max_tokens'], 'max_tokens');
    case 'gemini': {
      const config = field(body, 'generationConfig');
      if (config !== undefined && config !== null && !asObject(config)) {
        throw new ProtocolError("Invalid 'generationConfig': expected an object.", { param: 'generationConfig' });
      }
      return outputBudget(field(asObject(config), 'maxOutputTokens'), 'generationConfig.maxOutputTokens');
    }
    case 'openai-completions':
      // Completions answer at most 16 tokens unless told (OpenAI's default, which the chat conversion sends too).
      return outputBudget(body['max_tokens'], 'max_tokens') ?? COMPLETIONS_DEFAULT_MAX_TOKENS;
    default:
      return null;
  }
}

/** Gemini streams are chosen by path (`:streamGenerateContent`), never by body: always false here. */
export function isStreamRequest(protocol: WireProtocol, body: Record<string, unknown>): boolean {
  switch (protocol) {
    case 'openai-chat':
    case 'openai-responses':
    case 'anthropic':
    case 'openai-completions':
      return body['stream'] === true;
    default:
      return false;
  }
}
