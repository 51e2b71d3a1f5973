import { asNumber, asRecord, asString, type JsonRecord } from '../json.util';
import { errorReply, jsonReply, type MockReply, type StreamEvent } from '../mock-reply.types';
import { buildPlan, countWords } from '../reply-plan.builder';
import { sseEvent } from '../sse.util';
import { openaiError, vendorError } from '../vendor-error.bodies';
import type { FamilyContext, FamilyRoute } from './family-route';

/** The models OpenAI still serves on /v1/completions; a chat model there is a 404 (what the API says, below). */
const COMPLETIONS_MODEL = /(^|\/)(gpt-3\.5-turbo-instruct|davinci-002|babbage-002)/;
const DEFAULT_MAX_TOKENS = 16;

function invalid(message: string, param: string | null, code: string | null = null): MockReply {
  return errorReply(openaiError(400, message, { type: 'invalid_request_error', param, code }));
}

/** The prompts of a body: a string, strings, token ids or arrays of them (token ids read as words `t<id>`). */
function promptsOf(prompt: unknown): string[] | undefined {
  if (typeof prompt === 'string') return [prompt];
  if (!Array.isArray(prompt) || prompt.length === 0) return undefined;
  if (prompt.every((p) => typeof p === 'string')) return prompt;
  if (prompt.every((p) => typeof p === 'number')) return [prompt.map((t) => `t${t}`).join(' ')];
  if (prompt.every((p) => Array.isArray(p))) return prompt.map((p) => (p as unknown[]).map((t) => `t${String(t)}`).join(' '));
  return undefined;
}

/** `logprobs: k`: one entry per word of the text, as Completions shapes them. */
function logprobsOf(text: string, k: number): JsonRecord {
  const tokens = text.match(/\s*\S+/g) ?? [];
  let offset = 0;
  const textOffset = tokens.map((t) => (offset += t.length) - t.length);
  return {
    tokens,
    token_logprobs: tokens.map(() => -0.25),
    top_logprobs: tokens.map((t) => Object.fromEntries([[t, -0.25], ...Array.from({ length: Math.max(0, k - 1) }, (_, i) => [` alt${i}`, -2 - i])])),
    text_offset: textOffset,
  };
}

/**
 * OpenAI's legacy Completions: a choice per prompt × `n`, `echo` prepends the prompt, `logprobs` answered, stream as
 * `text_completion` chunks with the finish in an empty-text chunk, `usage: null` on each and a `choices: []` usage
 * chunk with `stream_options.include_usage`, then `[DONE]`.
 */
function respond(ctx: FamilyContext): MockReply {
  const body = asRecord(ctx.body);
  const model = asString(body.model);
  if (!model) return invalid('you must provide a model parameter', null);
  if (!COMPLETIONS_MODEL.test(model))
    return errorReply(
      openaiError(404, 'This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?', {
        type: 'invalid_request_error',
        param: 'model',
        code: null,
      }),
    );
  if (body.prompt === undefined) return invalid("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  const prompts = promptsOf(body.prompt);
  if (!prompts) return invalid("Invalid type for 'prompt': expected one of a string, array of strings, array of tokens, or array of token arrays.", 'prompt');
  if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true)
    return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  const n = asNumber(body.n) ?? 1;
  const maxTokens = asNumber(body.max_tokens) ?? DEFAULT_MAX_TOKENS;
  const echo = body.echo === true;
  const logprobs = asNumber(body.logprobs);
  // OpenAI bounds both (logprobs ≤ 5, n ≤ 128) with a 400; the mock must not build arrays of whatever it is sent.
  if (logprobs !== undefined && !(Number.isInteger(logprobs) && logprobs >= 0 && logprobs <= 5))
    return invalid(`Invalid value for 'logprobs': expected an integer between 0 and 5, but got ${logprobs} instead.`, 'logprobs', 'invalid_value');
  if (!(Number.isInteger(n) && n >= 1 && n <= 128))
    return invalid(`Invalid value for 'n': expected an integer between 1 and 128, but got ${n} instead.`, 'n', 'invalid_value');

  const plans = prompts.map((p) =>
    buildPlan(
      {
        model,
        system: [],
        messages: [{ role: 'user', texts: [p], toolCalls: [], toolResults: [] }],
        toolsOffered: false,
        thinking: 'off',
        maxOutputTokens: maxTokens,
      },
      ctx.shape,
    ),
  );
  const failed = plans.find((p) => p.errorStatus);
  if (failed?.errorStatus) return errorReply(vendorError('openai', failed.errorStatus));
  const promptTokens = prompts.reduce((s, p) => s + Math.max(1, countWords(p)), 0);
  const completionTokens = plans.reduce((s, p) => s + p.usage.output, 0) * n;
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const id = ctx.ids.next('cmpl-', 29);
  const created = Math.floor(Date.now() / 1000);
  const choiceOf = (i: number): { prompt: string; plan: (typeof plans)[number] } => ({ prompt: prompts[Math.floor(i / n)], plan: plans[Math.floor(i / n)] });
  const count = prompts.length * n;

  if (body.stream !== true) {
    const choices = Array.from({ length: count }, (_, i) => {
      const { prompt, plan } = choiceOf(i);
      const text = (echo ? prompt : '') + plan.text;
      return { text, index: i, logprobs: logprobs === undefined ? null : logprobsOf(text, logprobs), finish_reason: plan.finish };
    });
    return jsonReply({ id, object: 'text_completion', created, model, choices, usage });
  }

  const includeUsage = asRecord(body.stream_options).include_usage === true;
  const chunk = (index: number, text: string, finish: string | null, paced = false): StreamEvent => {
    const c: JsonRecord = {
      id,
      object: 'text_completion',
      created,
      choices: [{ text, index, logprobs: logprobs === undefined || !text ? null : logprobsOf(text, logprobs), finish_reason: finish }],
      model,
    };
    if (includeUsage) c.usage = null;
    return { data: sseEvent(c), paced };
  };
  const events: StreamEvent[] = [];
  for (let i = 0; i < count; i++) {
    const { prompt, plan } = choiceOf(i);
    if (echo) events.push(chunk(i, prompt, null));
    for (const t of plan.textChunks) events.push(chunk(i, t, null, true));
    events.push(chunk(i, '', plan.finish));
  }
  if (includeUsage) events.push({ data: sseEvent({ id, object: 'text_completion', created, model, choices: [], usage }) });
  events.push({ data: 'data: [DONE]\n\n' });
  return {
    kind: 'stream',
    contentType: 'text/event-stream; charset=utf-8',
    framing: 'sse',
    events,
    delayMs: plans[0].delayMs,
    inStreamError: (status) => [sseEvent({ error: asRecord(asRecord(openaiError(status).body).error) }), 'data: [DONE]\n\n'],
  };
}

export const COMPLETIONS: FamilyRoute = { vendor: 'openai', streams: (body) => body.stream === true, respond };
