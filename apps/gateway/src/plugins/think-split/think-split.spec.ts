import { convertResponse, createStreamTranslator, type ConvertContext, type WireProtocol } from '@switchboard/protocols';
import { inboundCall } from '../../relay/relay.fixture';
import { AttemptContext } from '../../relay/attempt-context';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readClientStream } from '../../../../../libs/protocols/src/testing/client-stream.reader';
import { rng } from '../../../../../libs/protocols/src/testing/fixtures.loader';
import { thinkSplitPlugin, thinkSplitTransform } from './think-split.plugin';
import { ThinkTagSplitter } from './think-tag.splitter';

const CLIENTS: WireProtocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const ctx = (stream: boolean): ConvertContext => ({ upstreamModel: 'r1', requestedModel: 'r1', stream, requestId: 'req-think', createdAt: 1700000000 });
const USAGE = { prompt_tokens: 12, completion_tokens: 40, total_tokens: 52 };

/** An OpenAI chat upstream stream whose content arrives in exactly these pieces. */
function chatSse(pieces: string[]): string {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'r1', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return (
    chunk({ role: 'assistant', content: '' }) +
    pieces.map((content) => chunk({ content })).join('') +
    chunk({}, 'stop') +
    `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'r1', choices: [], usage: USAGE })}\n\n` +
    'data: [DONE]\n\n'
  );
}

/** The answer as the model wrote it, and what a client of the plugin sees of it. */
interface Case {
  name: string;
  raw: string;
  thinking: string;
  text: string;
}

const CASES: Case[] = [
  {
    name: 'a leading block after whitespace, tag-like text inside it, text after it',
    raw: '\n \n<think>\nStep one: compare <th and </thin to 6 < 7.\nStep two: done.  \n</think>\n\nThe answer is 42 — café <think>.',
    thinking: 'Step one: compare <th and </thin to 6 < 7.\nStep two: done.',
    text: 'The answer is 42 — café <think>.',
  },
  { name: 'text that merely begins like the tag', raw: '<thought> is not it; <th neither.', thinking: '', text: '<thought> is not it; <th neither.' },
  {
    name: 'a block later in the answer (the answer’s own text)',
    raw: 'Use <think>x</think> in prompts.',
    thinking: '',
    text: 'Use <think>x</think> in prompts.',
  },
  { name: 'an unclosed block at the end of the stream', raw: '<think>I was cut off mid </th', thinking: 'I was cut off mid </th', text: '' },
  { name: 'an empty block (a model told not to think)', raw: '<think>\n\n</think>\n\nHi.', thinking: '', text: 'Hi.' },
];

/** Relays an upstream stream given as raw pushes to a client through the plugin's transform. */
function relay(to: WireProtocol, pushes: string[], tag = 'think') {
  const t = createStreamTranslator('openai-chat', to, ctx(true), undefined, [thinkSplitTransform(tag)]);
  let out = '';
  for (const p of pushes) out += t.push(p);
  out += t.end();
  return { summary: readClientStream(to, out), out, t };
}

/** Cuts `s` at the given code-point positions (sorted, deduplicated, within 1..length-1). */
function cut(s: string, at: number[]): string[] {
  const chars = [...s];
  const points = [...new Set(at)].filter((i) => i > 0 && i < chars.length).sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of [...points, chars.length]) {
    out.push(chars.slice(from, p).join(''));
    from = p;
  }
  return out;
}

describe('think-split: the tag splitter', () => {
  it('holds back only a possible tag (and the whitespace before one), never text that is decided', () => {
    const s = new ThinkTagSplitter('think');
    expect(s.push(' \n<th')).toEqual([]);
    expect(s.push('ink>Let me')).toEqual([{ kind: 'thinking', text: 'Let me' }]);
    expect(s.push(' see </th')).toEqual([{ kind: 'thinking', text: ' see' }]);
    expect(s.push('ink>\n')).toEqual([{ kind: 'end' }]);
    expect(s.push('\nAns')).toEqual([{ kind: 'text', text: 'Ans' }]);
    expect(s.push('wer <think>')).toEqual([{ kind: 'text', text: 'wer <think>' }]);
    expect(s.flush()).toEqual([]);

    const plain = new ThinkTagSplitter('think');
    expect(plain.push('<th')).toEqual([]);
    expect(plain.push('e')).toEqual([{ kind: 'text', text: '<the' }]);
    expect(plain.push(' end')).toEqual([{ kind: 'text', text: ' end' }]);
    expect(new ThinkTagSplitter('think').push('Hi <th')).toEqual([{ kind: 'text', text: 'Hi <th' }]);
    const short = new ThinkTagSplitter('think');
    expect(short.push('  <thi')).toEqual([]);
    expect(short.flush()).toEqual([{ kind: 'text', text: '  <thi' }]);
  });

  it('uses the configured tag', () => {
    const s = new ThinkTagSplitter('reasoning');
    expect([...s.push('<reasoning>why</reasoning>so <think>'), ...s.flush()]).toEqual([
      { kind: 'thinking', text: 'why' },
      { kind: 'end' },
      { kind: 'text', text: 'so <think>' },
    ]);
  });
});

describe('think-split: an openai-chat stream relayed to every client', () => {
  for (const c of CASES) {
    for (const to of CLIENTS) {
      it(`${c.name} → ${to}: cut in two at every position, and at random`, () => {
        const n = [...c.raw].length;
        const check = (pushes: string[], label: string) => {
          const { summary, t } = relay(to, pushes);
          expect({ label, text: summary.text, thinking: summary.thinking }).toEqual({ label, text: c.text, thinking: c.thinking });
          expect(summary.finish).toBe('stop');
          expect(t.usage).toMatchObject({ promptTokens: 12, completionTokens: 40 });
          // the tokenizer fallback counts what the upstream generated, tags and all
          expect(t.outputText).toBe(c.raw);
        };
        for (let i = 0; i <= n; i++) check([chatSse(cut(c.raw, [i]))], `content cut at ${i}`);
        const rand = rng(n * 7 + to.length);
        for (let round = 0; round < 40; round++) {
          const at = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * n));
          const sse = chatSse(cut(c.raw, at));
          // the upstream bytes too arrive cut anywhere
          const bytes = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => Math.floor(rand() * sse.length)).sort((a, b) => a - b);
          const pushes = [0, ...bytes].map((from, k, all) => sse.slice(from, all[k + 1] ?? sse.length));
          check(pushes, `content cut at ${at.join(',')}, bytes at ${bytes.join(',')}`);
        }
      });
    }
  }

  it('reasoning comes in each protocol’s own place, closed before the answer', () => {
    const sse = chatSse(cut(CASES[0].raw, [3, 9, 20, 70, 80]));
    const chat = relay('openai-chat', [sse]).out;
    expect(chat).toContain('"reasoning_content":"Step one');
    expect(chat).not.toContain('<think>\\n');

    const anthropic = relay('anthropic', [sse]).out;
    const blocks = [...anthropic.matchAll(/"content_block":\{"type":"(\w+)"/g)].map((m) => m[1]);
    expect(blocks).toEqual(['thinking', 'text']);
    expect(anthropic.indexOf('"type":"content_block_stop","index":0')).toBeLessThan(anthropic.indexOf('"content_block":{"type":"text"'));

    const responses = relay('openai-responses', [sse]).out;
    const completed = JSON.parse(
      responses
        .split('\n')
        .find((l) => l.includes('"response.completed"'))!
        .slice(6),
    ) as { response: { output: { type: string }[] } };
    expect(completed.response.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    const items = responses
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as { type: string; item?: { type: string } })
      .filter((e) => e.type.startsWith('response.output_item.'))
      .map((e) => `${e.type.slice('response.output_item.'.length)} ${e.item!.type}`);
    expect(items).toEqual(['added reasoning', 'done reasoning', 'added message', 'done message']);

    const gemini = relay('gemini', [sse]).out;
    expect(gemini).toContain('"thought":true');
  });
});

describe('think-split: a whole answer', () => {
  const body = (content: string) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'r1',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: USAGE,
  });
  type Out = Record<string, unknown>;
  const views: Record<string, (o: Out) => { thinking: string; text: string }> = {
    'openai-chat': (o) => {
      const m = (o as { choices: { message: { content: string | null; reasoning_content?: string } }[] }).choices[0].message;
      return { thinking: m.reasoning_content ?? '', text: m.content ?? '' };
    },
    'openai-responses': (o) => {
      const items = (o as { output: { type: string; summary?: { text: string }[]; content?: { text: string }[] }[] }).output;
      return {
        thinking: items.flatMap((i) => (i.type === 'reasoning' ? (i.summary ?? []).map((s) => s.text) : [])).join(''),
        text: items.flatMap((i) => (i.type === 'message' ? (i.content ?? []).map((s) => s.text) : [])).join(''),
      };
    },
    anthropic: (o) => {
      const blocks = (o as { content: { type: string; text?: string; thinking?: string }[] }).content;
      return {
        thinking: blocks.map((b) => (b.type === 'thinking' ? b.thinking : '')).join(''),
        text: blocks.map((b) => (b.type === 'text' ? b.text : '')).join(''),
      };
    },
    gemini: (o) => {
      const parts = (o as { candidates: { content: { parts: { text?: string; thought?: boolean }[] } }[] }).candidates[0].content.parts;
      return {
        thinking: parts.map((p) => (p.thought ? p.text : '')).join(''),
        text: parts.map((p) => (p.thought ? '' : (p.text ?? ''))).join(''),
      };
    },
  };

  for (const c of CASES) {
    it.each(CLIENTS)(`${c.name} → %s`, (to) => {
      const out = convertResponse('openai-chat', to, body(c.raw), ctx(false), [thinkSplitTransform('think')]);
      expect(views[to](out)).toEqual({ thinking: c.thinking, text: c.text });
    });
  }

  it('leaves an answer without the tag as it was, and reasoning the upstream already gave in front', () => {
    const t = thinkSplitTransform('think');
    const ir = { parts: [{ type: 'text' as const, text: 'plain' }], stopReason: 'stop' as const, usage: null };
    expect(t.response(ir)).toBe(ir);
    const withReasoning = {
      parts: [
        { type: 'thinking' as const, text: 'native', signature: 'sig' },
        { type: 'text' as const, text: '<think>tagged</think>answer' },
      ],
      stopReason: 'stop' as const,
      usage: null,
    };
    const parted = {
      parts: [
        { type: 'text' as const, text: ' <thi' },
        { type: 'text' as const, text: 'nk>a' },
        { type: 'text' as const, text: 'b</think>\n' },
        { type: 'text' as const, text: 'answer', thoughtSignature: 'ts' },
        { type: 'text' as const, text: ' <think>' },
        { type: 'tool_call' as const, id: 'c', name: 'f', arguments: '{}' },
      ],
      stopReason: 'stop' as const,
      usage: null,
    };
    // text parts read as one text, as a stream would deliver them
    expect(t.response(parted).parts).toEqual([
      { type: 'thinking', text: 'ab' },
      { type: 'text', text: 'answer', thoughtSignature: 'ts' },
      { type: 'text', text: ' <think>' },
      { type: 'tool_call', id: 'c', name: 'f', arguments: '{}' },
    ]);
    expect(t.response(withReasoning).parts).toEqual([
      { type: 'thinking', text: 'native', signature: 'sig' },
      { type: 'thinking', text: 'tagged' },
      { type: 'text', text: 'answer' },
    ]);
  });
});

describe('think-split: the plugin', () => {
  const ctxOf = (over: Parameters<typeof inboundCall>[0]) => new AttemptContext(inboundCall(over), {} as FastifyRequest, {} as FastifyReply, 'req-1', 0);

  it('changes chat answers only, with the configured tag', () => {
    expect(thinkSplitPlugin.answerTransform!(ctxOf({ operation: 'embed', protocol: 'gemini' }), { tag: 'think' })).toBeNull();
    const t = thinkSplitPlugin.answerTransform!(ctxOf({}), { tag: 'r' })!;
    expect([...t.event({ type: 'text_delta', text: '<r>a</r>b' }), ...t.flush()]).toEqual([
      { type: 'thinking_delta', text: 'a' },
      { type: 'thinking_end' },
      { type: 'text_delta', text: 'b' },
    ]);
  });

  it('releases what it holds before a tool call or the end of the answer', () => {
    const t = thinkSplitTransform('think');
    expect(t.event({ type: 'text_delta', text: '<think>plan' })).toEqual([{ type: 'thinking_delta', text: 'plan' }]);
    expect(t.event({ type: 'text_delta', text: ' </th' })).toEqual([]);
    expect(
      t.event({ type: 'usage', usage: { promptTokens: 1, completionTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } }),
    ).toHaveLength(1);
    expect(t.event({ type: 'tool_call_start', index: 0, id: 'c', name: 'f' })).toEqual([
      { type: 'thinking_delta', text: ' </th' },
      { type: 'thinking_end' },
      { type: 'tool_call_start', index: 0, id: 'c', name: 'f' },
    ]);
    const held = thinkSplitTransform('think');
    expect(held.event({ type: 'text_delta', text: '<th' })).toEqual([]);
    expect(held.event({ type: 'finish', reason: 'length' })).toEqual([
      { type: 'text_delta', text: '<th' },
      { type: 'finish', reason: 'length' },
    ]);
  });
});
