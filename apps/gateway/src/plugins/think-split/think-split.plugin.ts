import type { AnswerTransform, IrPart, IrStreamEvent } from '@switchboard/protocols';
import type { RelayPlugin } from '../relay-plugin';
import { ThinkTagSplitter, type ThinkPiece } from './think-tag.splitter';

const DEFAULT_TAG = 'think';

function toEvents(pieces: ThinkPiece[], out: IrStreamEvent[] = []): IrStreamEvent[] {
  for (const p of pieces) {
    if (p.kind === 'end') out.push({ type: 'thinking_end' });
    else out.push({ type: p.kind === 'text' ? 'text_delta' : 'thinking_delta', text: p.text });
  }
  return out;
}

/** Events that end the answer's text: what the splitter holds goes out before them. */
const RELEASING = new Set<IrStreamEvent['type']>(['tool_call_start', 'finish', 'error', 'done']);

/**
 * One attempt's answer: its leading `<tag>…</tag>` becomes reasoning. The block counts at the start of the answer
 * only, upstream reasoning (thinking events or parts) before it included; the splitter says what is held back.
 */
export function thinkSplitTransform(tag: string): AnswerTransform {
  const splitter = new ThinkTagSplitter(tag);
  return {
    event(ev) {
      if (splitter.passing) return [ev];
      if (ev.type === 'text_delta') return toEvents(splitter.push(ev.text));
      if (RELEASING.has(ev.type)) return toEvents(splitter.flush(), []).concat(ev);
      return [ev];
    },
    flush: () => toEvents(splitter.flush()),
    response(ir) {
      const at = ir.parts.findIndex((p) => p.type !== 'thinking');
      if (ir.parts[at]?.type !== 'text') return ir;
      // The answer's text parts read as one text, as a stream would deliver them.
      const one = new ThinkTagSplitter(tag);
      let thinking = '';
      let changed = false;
      const texts: IrPart[] = [];
      let end = at;
      for (; end < ir.parts.length && !one.passing; end++) {
        const part = ir.parts[end];
        if (part.type !== 'text') break;
        const pieces = one.push(part.text);
        if (ir.parts[end + 1]?.type !== 'text') pieces.push(...one.flush());
        let text = '';
        for (const p of pieces) {
          if (p.kind === 'thinking') thinking += p.text;
          else if (p.kind === 'text') text += p.text;
        }
        changed ||= text !== part.text;
        // The part's own fields (a Gemini signature, a cache mark) stay with its text; a part all reasoning goes.
        if (text || part.thoughtSignature) texts.push({ ...part, text });
      }
      if (!thinking && !changed) return ir;
      const split: IrPart[] = thinking ? [{ type: 'thinking', text: thinking }, ...texts] : texts;
      return { ...ir, parts: [...ir.parts.slice(0, at), ...split, ...ir.parts.slice(end)] };
    },
  };
}

/**
 * think-split (SPEC §8): a model that writes its reasoning into the answer as `<think>…</think>` (the `tag` setting)
 * answers every chat client with that reasoning in its protocol's own place (chat `reasoning_content`, Responses
 * reasoning items, Anthropic thinking blocks, Gemini thought parts), streams and whole answers alike. It runs on every
 * chat answer in its scope, so it counts as applied for each of them, a tag found or not.
 */
export const thinkSplitPlugin: RelayPlugin = {
  name: 'think-split',
  answerTransform(ctx, settings) {
    if (ctx.call.operation !== 'generate') return null;
    const tag = typeof settings['tag'] === 'string' && settings['tag'] ? settings['tag'] : DEFAULT_TAG;
    return thinkSplitTransform(tag);
  },
};
