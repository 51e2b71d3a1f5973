/**
 * Internal representation → OpenAI Completions request, for a client of another protocol whose model lives only behind
 * Completions. A prompt is text: one user text turn is sent as it is, a longer conversation as a plain transcript;
 * tools and media have no place in a prompt and are refused with a 400.
 */
import type { IrMessage, IrRequest } from '../core/ir.types';
import type { ConvertContext } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import type { CompletionRequest } from './openai-completions.types';

function textOf(m: IrMessage): string {
  return m.parts
    .map((p) => {
      if (p.type === 'text' || p.type === 'refusal') return p.text;
      if (p.type === 'thinking') return '';
      throw new ProtocolError(`A ${p.type.replace('_', ' ')} cannot be sent to a model served through the Completions API (a text prompt).`, {
        param: 'messages',
      });
    })
    .join('');
}

export function promptOf(ir: IrRequest): string {
  const system = ir.system.map((p) => p.text).join('\n\n');
  const only = ir.messages.length === 1 && ir.messages[0].role === 'user' ? ir.messages[0] : undefined;
  if (only && !system) return textOf(only);
  const lines = system ? [system] : [];
  for (const m of ir.messages) lines.push(`${m.role === 'user' ? 'User' : 'Assistant'}: ${textOf(m)}`);
  lines.push('Assistant:');
  return lines.join('\n\n');
}

export function encodeOpenAiCompletionsRequest(ir: IrRequest, ctx: ConvertContext): CompletionRequest {
  if (ir.tools.length > 0) throw new ProtocolError('Tools cannot be offered to a model served through the Completions API.', { param: 'tools' });
  const req: CompletionRequest = { model: ctx.upstreamModel, prompt: promptOf(ir) };
  if (ctx.stream) {
    req.stream = true;
    req.stream_options = { include_usage: true };
  }
  if (ir.maxOutputTokens !== undefined) req.max_tokens = ir.maxOutputTokens;
  if (ir.temperature !== undefined) req.temperature = ir.temperature;
  if (ir.topP !== undefined) req.top_p = ir.topP;
  if (ir.stop && ir.stop.length > 0) req.stop = ir.stop.slice(0, 4);
  if (ir.seed !== undefined) req.seed = ir.seed;
  if (ir.presencePenalty !== undefined) req.presence_penalty = ir.presencePenalty;
  if (ir.frequencyPenalty !== undefined) req.frequency_penalty = ir.frequencyPenalty;
  if (ir.user && ir.user.length <= 64) req.user = ir.user;
  return req;
}
