import { decodeToolCallId, unpackReasoning } from '../core/ids.util';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { fixtureJson, fixtureText, randomSplits } from '../testing/fixtures.loader';
import { readClientStream } from '../testing/client-stream.reader';
import { createStreamTranslator } from './stream-translator';
import type { Usage } from '../protocol.types';

interface ExpectedToolCall {
  id?: string;
  name: string;
  args: unknown;
  thoughtSignature?: string;
}
interface StreamCase {
  name: string;
  protocol: WireProtocol;
  file: string;
  expect: { text: string; thinking: string; toolCalls: ExpectedToolCall[]; finish: string; usage: Usage; signature?: string };
}
interface ErrorCase {
  name: string;
  protocol: WireProtocol;
  file: string;
  text: string;
  status: number;
  message: string;
}

const manifest = fixtureJson<{ streams: StreamCase[]; errorStreams: ErrorCase[] }>('streams.manifest.json');
const CLIENTS: WireProtocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const SEEDS = [1, 2, 3, 42, 1337];

function ctx(): ConvertContext {
  return { upstreamModel: 'upstream-model', requestedModel: 'client-model', stream: true, requestId: 'req-test-0001', createdAt: 1700000000 };
}

function translate(
  from: WireProtocol,
  to: WireProtocol,
  pieces: string[],
  c: ConvertContext = ctx(),
): { out: string; t: ReturnType<typeof createStreamTranslator> } {
  const t = createStreamTranslator(from, to, c);
  let out = '';
  for (const p of pieces) out += t.push(p);
  out += t.end();
  return { out, t };
}

/** The same stream with the other line-ending convention (\n\n ↔ \r\n\r\n). */
function flipLineEndings(text: string): string {
  return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text.replace(/\n/g, '\r\n');
}

describe('stream translation: every upstream fixture × every client protocol', () => {
  for (const sc of manifest.streams) {
    const upstream = fixtureText(sc.file);
    for (const client of CLIENTS) {
      const title = `${sc.name} → ${client}`;
      if (client === sc.protocol) {
        it(`${title}: identity pass-through returns the upstream bytes unchanged`, () => {
          const whole = translate(sc.protocol, client, [upstream]);
          expect(whole.out).toBe(upstream);
          for (const seed of SEEDS) expect(translate(sc.protocol, client, randomSplits(upstream, seed)).out).toBe(upstream);
          expect(whole.t.usage).toEqual(sc.expect.usage);
          expect(whole.t.finishReason).toBe(sc.expect.finish);
          expect(whole.t.outputText).toContain(sc.expect.text);
        });
        continue;
      }
      it(`${title}: valid client stream with the same content`, () => {
        const { out, t } = translate(sc.protocol, client, [upstream]);
        const summary = readClientStream(client, out);
        expect(summary.error).toBeNull();
        expect(summary.model).toBe('client-model');
        expect(summary.text).toBe(sc.expect.text);
        expect(summary.finish).toBe(sc.expect.finish);
        // Gemini's usageMetadata has no cache-write count (explicit caches are created separately).
        expect(summary.usage).toEqual(client === 'gemini' ? { ...sc.expect.usage, cacheWriteTokens: 0 } : sc.expect.usage);
        expect(summary.toolCalls.map((tc) => ({ name: tc.name, args: tc.args }))).toEqual(sc.expect.toolCalls.map((tc) => ({ name: tc.name, args: tc.args })));
        summary.toolCalls.forEach((tc, i) => {
          const want = sc.expect.toolCalls[i];
          const decoded = decodeToolCallId(tc.id);
          if (want.id) expect(decoded.id).toBe(want.id);
          expect(decoded.id).not.toBe('');
          if (want.thoughtSignature) expect(tc.thoughtSignature ?? decoded.thoughtSignature).toBe(want.thoughtSignature);
        });
        expect(summary.thinking).toBe(sc.expect.thinking);
        if (sc.expect.signature) {
          const carried = summary.signatures.map((s) => unpackReasoning(s)?.signature ?? s);
          expect(carried).toContain(sc.expect.signature);
        }
        expect(t.usage).toEqual(sc.expect.usage);
        expect(t.finishReason).toBe(sc.expect.finish);
        expect(t.outputText).toContain(sc.expect.text);
      });
      it(`${title}: random byte splits and CRLF/LF give identical output`, () => {
        const whole = translate(sc.protocol, client, [upstream]).out;
        for (const seed of SEEDS) expect(translate(sc.protocol, client, randomSplits(upstream, seed)).out).toBe(whole);
        expect(translate(sc.protocol, client, randomSplits(flipLineEndings(upstream), 7)).out).toBe(whole);
      });
    }
  }
});

describe('in-stream upstream errors become the client protocol’s own in-stream error (§7.5)', () => {
  for (const ec of manifest.errorStreams) {
    const upstream = fixtureText(ec.file);
    for (const client of CLIENTS) {
      it(`${ec.name} → ${client}`, () => {
        const { out, t } = translate(ec.protocol, client, randomSplits(upstream, 5));
        if (client === ec.protocol) {
          expect(out).toBe(upstream);
          return;
        }
        const s = readClientStream(client, out);
        expect(s.error).not.toBeNull();
        expect(s.error!.message).toBe(ec.message);
        expect(s.text).toBe(ec.text);
        if (client === 'gemini') expect(s.error!.status).toBe(ec.status);
        // nothing may follow the error frame
        expect(t.end()).toBe('');
      });
    }
  }
});

describe('abort(): transport failure mid-stream', () => {
  const upstream = fixtureText('anthropic/stream-text.sse');
  const cut = upstream.indexOf('event: content_block_stop');
  for (const client of CLIENTS) {
    it(`anthropic upstream cut → ${client} gets a native in-stream error after the partial text`, () => {
      const t = createStreamTranslator('anthropic', client, ctx());
      let out = t.push(upstream.slice(0, cut + 10)); // mid-event
      out += t.abort({ status: 504, message: 'upstream idle timeout' });
      const s = readClientStream(client, out);
      expect(s.error?.message).toBe('upstream idle timeout');
      expect(s.text).toBe('Hello! How are you doing today?');
      expect(t.abort({ status: 504, message: 'again' })).toBe('');
    });
  }
  it('identity abort holds back the half event and appends a well-formed error frame', () => {
    const t = createStreamTranslator('anthropic', 'anthropic', ctx());
    const partial = upstream.slice(0, cut + 10);
    const out = t.push(partial) + t.abort({ status: 502, message: 'connection reset' });
    expect(partial.startsWith(out.slice(0, out.indexOf('event: error')))).toBe(true);
    const s = readClientStream('anthropic', out);
    expect(s.error).toEqual({ message: 'connection reset', type: 'api_error' });
  });
  it('usage after a cut before message_delta counts the delivered output, not the placeholder', () => {
    const t = createStreamTranslator('anthropic', 'openai-chat', ctx());
    t.push(upstream.slice(0, cut));
    t.abort({ status: 502, message: 'reset' });
    expect(t.usage?.promptTokens).toBe(12);
    expect(t.usage?.completionTokens).toBeGreaterThan(5);
  });
  it('identity abort after a complete stream adds nothing', () => {
    const t = createStreamTranslator('openai-chat', 'openai-chat', ctx());
    t.push(fixtureText('openai-chat/stream-text.sse'));
    expect(t.abort({ status: 502, message: 'late reset' })).toBe('');
  });
  it('identity Responses abort continues the upstream sequence numbers', () => {
    const rs = fixtureText('openai-responses/stream-text.sse');
    const cutAt = rs.indexOf('event: response.output_text.done');
    const t = createStreamTranslator('openai-responses', 'openai-responses', ctx());
    const out = t.push(rs.slice(0, cutAt)) + t.abort({ status: 500, message: 'boom' });
    const s = readClientStream('openai-responses', out);
    expect(s.error?.message).toBe('boom');
  });
});

describe('an upstream that closes without sending anything', () => {
  for (const from of CLIENTS) {
    for (const to of CLIENTS) {
      it(`${from} → ${to}: the client gets an in-stream error, not a fake empty answer`, () => {
        const t = createStreamTranslator(from, to, ctx());
        const out = t.push(': keep-alive\n\n') + t.end();
        expect(readClientStream(to, out.replace(': keep-alive\n\n', '')).error?.message).toMatch(/without sending any event/);
      });
    }
  }
});

describe('usage: the client asked (or not) for include_usage', () => {
  it('OpenAI chat client without stream_options.include_usage gets no usage chunk; the gateway still sees usage', () => {
    const c = { ...ctx(), clientBody: { model: 'x', messages: [], stream: true } };
    const { out, t } = translate('anthropic', 'openai-chat', [fixtureText('anthropic/stream-text.sse')], c);
    expect(out).not.toContain('"usage"');
    expect(t.usage?.completionTokens).toBe(30);
  });
  it('with include_usage the usage chunk has choices: [] and comes right before [DONE]', () => {
    const c = { ...ctx(), clientBody: { stream_options: { include_usage: true } } };
    const { out } = translate('gemini', 'openai-chat', [fixtureText('gemini/stream-text.sse')], c);
    const frames = out.trim().split('\n\n');
    expect(frames[frames.length - 1]).toBe('data: [DONE]');
    const usageChunk = JSON.parse(frames[frames.length - 2].slice(6)) as { choices: unknown[]; usage: { completion_tokens: number } };
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.completion_tokens).toBe(208);
  });
});
