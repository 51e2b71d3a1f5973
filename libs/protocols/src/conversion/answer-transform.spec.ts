import type { IrStreamEvent } from '../core/ir.types';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { fixtureJson, fixtureText } from '../testing/fixtures.loader';
import { readClientStream } from '../testing/client-stream.reader';
import type { AnswerTransform } from './answer-transform';
import { convertResponse } from './convert-response';
import { createStreamTranslator } from './stream-translator';

const ctx = (stream: boolean): ConvertContext => ({ upstreamModel: 'm', requestedModel: 'm', stream, requestId: 'req-t', createdAt: 1700000000 });

/** Upper-cases text and holds every text delta back until a terminal event (or the flush), to prove both paths. */
function holdingUpper(): AnswerTransform & { flushed: number } {
  let held = '';
  const release = (): IrStreamEvent[] => {
    const text = held;
    held = '';
    return text ? [{ type: 'text_delta', text: text.toUpperCase() }] : [];
  };
  return {
    flushed: 0,
    event(ev) {
      if (ev.type === 'text_delta') {
        held += ev.text;
        return [];
      }
      return ev.type === 'finish' || ev.type === 'done' || ev.type === 'error' ? [...release(), ev] : [ev];
    },
    flush() {
      this.flushed++;
      return release();
    },
    response: (ir) => ({ ...ir, parts: ir.parts.map((p) => (p.type === 'text' ? { ...p, text: p.text.toUpperCase() } : p)) }),
  };
}

describe('answer transforms', () => {
  const sse = fixtureText('openai-chat/stream-text.sse');
  const plain = readClientStream('openai-chat', createStreamTranslator('openai-chat', 'openai-chat', ctx(true)).push(sse));

  it.each<WireProtocol>(['openai-chat', 'anthropic', 'gemini', 'openai-responses'])('change a stream relayed to %s, a same-protocol one included', (to) => {
    const t = createStreamTranslator('openai-chat', to, ctx(true), undefined, [holdingUpper()]);
    const out = readClientStream(to, t.push(sse) + t.end());
    expect(out.text).toBe(plain.text.toUpperCase());
    expect(out.finish).not.toBeNull();
  });

  it('release what they hold when the upstream ends without a terminal event', () => {
    const cut = sse.slice(0, sse.indexOf('"finish_reason":"stop"'));
    const truncated = cut.slice(0, cut.lastIndexOf('\n\n') + 2);
    const transform = holdingUpper();
    const t = createStreamTranslator('openai-chat', 'openai-chat', ctx(true), undefined, [transform]);
    const out = t.push(truncated) + t.end();
    expect(transform.flushed).toBe(1);
    expect(readClientStream('openai-chat', out).text.length).toBeGreaterThan(0);
    expect(readClientStream('openai-chat', out).text).toBe(readClientStream('openai-chat', out).text.toUpperCase());
  });

  it('change a whole answer, a same-protocol one going through the IR', () => {
    const body = fixtureJson<Record<string, unknown>>('openai-chat/response-text.json');
    const same = convertResponse('openai-chat', 'openai-chat', body, ctx(false), [holdingUpper()]) as { choices: { message: { content: string } }[] };
    const original = (body as { choices: { message: { content: string } }[] }).choices[0].message.content;
    expect(same.choices[0].message.content).toBe(original.toUpperCase());
    expect(convertResponse('openai-chat', 'openai-chat', body, ctx(false))).toBe(body);
  });
});
