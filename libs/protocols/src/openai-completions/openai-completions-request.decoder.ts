/**
 * OpenAI Completions request → internal representation, for a chat upstream: the prompt becomes one user turn.
 * Only called when the upstream does not speak Completions (pass-through keeps every field), so what a chat model
 * cannot honour is refused with a 400 naming the field rather than silently changing the answer:
 * - several prompts or token-id prompts (one answer per request through chat);
 * - `suffix` (insertion), `logprobs` (per-token log probabilities of the text), `n` > 1 and `best_of` > 1 (the IR
 *   carries one choice), a non-empty `logit_bias` (no chat IR field).
 * Dropped because harmless: `best_of: 1`, `n: 1`, `logprobs: null`, empty `suffix`/`logit_bias`. `echo` is honoured by
 * the response encoders (the prompt is prepended to the text).
 */
import type { IrRequest } from '../core/ir.types';
import { asNumber, asObject, asString, stringsOf, type JsonObject } from '../core/json.util';
import { ProtocolError } from '../protocol.error';

/** OpenAI's documented default for Completions (chat upstreams have none, or require one: Anthropic). */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

const ONLY_ON_COMPLETIONS = 'only a model served through the Completions API supports it';

/** The one prompt of a Completions body, or the 400 explaining why it cannot be sent to a chat model. */
export function singlePrompt(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (prompt === undefined || prompt === null) throw new ProtocolError("Missing required parameter: 'prompt'.", { param: 'prompt' });
  if (Array.isArray(prompt)) {
    if (prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
    if (prompt.length > 0 && prompt.every((p) => typeof p === 'string'))
      throw new ProtocolError(`'prompt' holds ${prompt.length} prompts: this model answers through Chat, one prompt per request; send them one at a time.`, {
        param: 'prompt',
      });
    if (prompt.length > 0 && prompt.every((p) => typeof p === 'number' || Array.isArray(p)))
      throw new ProtocolError(`'prompt' as token ids cannot be converted for this model (it answers through Chat): send the prompt as text.`, {
        param: 'prompt',
      });
  }
  throw new ProtocolError("Invalid type for 'prompt': expected a string or an array of one string.", { param: 'prompt' });
}

function refuse(param: string, what: string): never {
  throw new ProtocolError(`'${param}' ${what} cannot be honoured for this model (it answers through Chat); ${ONLY_ON_COMPLETIONS}.`, { param });
}

export function decodeOpenAiCompletionsRequest(body: JsonObject): IrRequest {
  const prompt = singlePrompt(body['prompt']);
  const suffix = body['suffix'];
  if (suffix !== undefined && suffix !== null && suffix !== '') refuse('suffix', '(text insertion)');
  if (body['logprobs'] !== undefined && body['logprobs'] !== null) refuse('logprobs', '(token log probabilities)');
  const n = asNumber(body['n']);
  if (n !== undefined && n > 1) refuse('n', `> 1 (${n} choices)`);
  const bestOf = asNumber(body['best_of']);
  if (bestOf !== undefined && bestOf > 1) refuse('best_of', `> 1 (server-side candidates)`);
  const bias = asObject(body['logit_bias']);
  if (bias && Object.keys(bias).length > 0) refuse('logit_bias', '(token biases)');

  const req: IrRequest = { system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: prompt }] }], tools: [] };
  req.maxOutputTokens = asNumber(body['max_tokens']) ?? COMPLETIONS_DEFAULT_MAX_TOKENS;
  const num = (k: string) => asNumber(body[k]);
  if (num('temperature') !== undefined) req.temperature = num('temperature');
  if (num('top_p') !== undefined) req.topP = num('top_p');
  if (num('seed') !== undefined) req.seed = num('seed');
  if (num('presence_penalty') !== undefined) req.presencePenalty = num('presence_penalty');
  if (num('frequency_penalty') !== undefined) req.frequencyPenalty = num('frequency_penalty');
  const stop = body['stop'];
  if (typeof stop === 'string') req.stop = [stop];
  else if (Array.isArray(stop) && stringsOf(stop).length > 0) req.stop = stringsOf(stop);
  const user = asString(body['user']);
  if (user) req.user = user;
  return req;
}

/** `echo: true`: the answer's text starts with the prompt (what Completions does); empty otherwise. */
export function echoedPrompt(clientBody: JsonObject | undefined): string {
  if (!clientBody || clientBody['echo'] !== true) return '';
  try {
    return singlePrompt(clientBody['prompt']);
  } catch {
    return '';
  }
}
