/** Bad input never crashes a converter: a ProtocolError (400) or a best-effort result, never a TypeError. */
import { convertRequest, convertResponse, createStreamTranslator, estimatePromptTokens, extractOutputText, extractUsage } from './index';
import { ProtocolError } from './protocol.error';
import type { ConvertContext, WireProtocol } from './protocol.types';
import { fixtureJson, fixtureText, rng } from './testing/fixtures.loader';

const CHAT: WireProtocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const ctx: ConvertContext = { upstreamModel: 'gemini-3-pro-preview', requestedModel: 'm', stream: true, requestId: 'r' };
const JUNK: unknown[] = [null, 0, -1, 'x', '', true, [], {}, [null], [1, 'a'], { type: 'weird' }, '{"broken":', 1e308];

/** Replaces one random node of a JSON value with junk. */
function mutate(v: unknown, r: () => number): unknown {
  const copy = structuredClone(v);
  const paths: (string | number)[][] = [];
  const walk = (x: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...path, i]));
    else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, [...path, k]);
  };
  walk(copy, []);
  const path = paths[1 + Math.floor(r() * (paths.length - 1))];
  let parent = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  parent[path[path.length - 1]] = JUNK[Math.floor(r() * JUNK.length)];
  return copy;
}

function expectCleanFailure(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).status).toBeGreaterThanOrEqual(400);
    expect((e as ProtocolError).status).toBeLessThan(500);
  }
}

describe('mutated request bodies', () => {
  for (const from of CHAT) {
    const body = fixtureJson(`${from}/request-full.json`);
    it(`${from}: 300 random mutations → every upstream: object or ProtocolError`, () => {
      const r = rng(from.length * 7919);
      for (let i = 0; i < 300; i++) {
        const m = mutate(body, r) as Record<string, unknown>;
        for (const to of CHAT) expectCleanFailure(() => convertRequest(from, to, m, ctx));
        expect(estimatePromptTokens(from, m)).toBeGreaterThanOrEqual(0);
      }
    });
  }
  it('tool arguments that are not JSON objects → 400 for Anthropic and Gemini', () => {
    const b = {
      model: 'm',
      messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }],
    };
    for (const to of ['anthropic', 'gemini'] as const) expect(() => convertRequest('openai-chat', to, b, ctx)).toThrow(ProtocolError);
  });
  it('missing messages / contents → 400', () => {
    expect(() => convertRequest('openai-chat', 'anthropic', { model: 'm' }, ctx)).toThrow(ProtocolError);
    expect(() => convertRequest('anthropic', 'gemini', { model: 'm', max_tokens: 1 }, ctx)).toThrow(ProtocolError);
    expect(() => convertRequest('gemini', 'openai-chat', {}, ctx)).toThrow(ProtocolError);
  });
});

describe('mutated upstream responses', () => {
  const files: [WireProtocol, string][] = [
    ['openai-chat', 'openai-chat/response-tool-calls.json'],
    ['anthropic', 'anthropic/response-tool-use.json'],
    ['gemini', 'gemini/response-function-call.json'],
    ['openai-responses', 'openai-responses/response-function-call.json'],
  ];
  for (const [from, file] of files) {
    it(`${from}: 200 mutations → every client without throwing`, () => {
      const r = rng(file.length);
      const body = fixtureJson(file);
      for (let i = 0; i < 200; i++) {
        const m = mutate(body, r) as Record<string, unknown>;
        for (const to of CHAT) expect(typeof convertResponse(from, to, m, ctx)).toBe('object');
        extractUsage(from, m);
        extractOutputText(from, m);
      }
    });
  }
});

describe('garbage upstream streams', () => {
  const garbage = [
    'data: {not json}\n\n',
    'data: [1,2]\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":9}\n\n',
    'data: {"choices":"x"}\n\n',
    ': only a comment\n\n',
    '\r\n\r\n',
    'data: null\n\n',
  ];
  for (const from of CHAT) {
    for (const to of CHAT) {
      it(`${from} → ${to}: junk events are skipped and the client stream still closes`, () => {
        const t = createStreamTranslator(from, to, ctx);
        let out = '';
        for (const g of garbage) out += t.push(g);
        out += t.end();
        if (from !== to) expect(out.length).toBeGreaterThan(0);
      });
    }
  }
  it('a real stream with junk interleaved still translates', () => {
    const sse = fixtureText('anthropic/stream-text.sse').replace('event: ping', 'data: {oops}\n\nevent: ping');
    const t = createStreamTranslator('anthropic', 'openai-chat', ctx);
    const out = t.push(sse) + t.end();
    expect(out).toContain('Hello');
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
