import { encodeSseEvent } from './sse-encoder';
import { SseEventTooLargeError, SseParser } from './sse-parser';
import { randomSplits } from '../testing/fixtures.loader';

describe('SseParser', () => {
  const text = 'event: a\ndata: {"x":1}\n\n: comment\r\ndata: line1\r\ndata: line2\r\n\r\nid: 7\rdata: cr-only\r\rdata:nospace\n\n';
  const expected = [{ event: 'a', data: '{"x":1}' }, { data: 'line1\nline2' }, { data: 'cr-only' }, { data: 'nospace' }];
  it('handles \\n, \\r\\n, \\r, comments, multi-line data, missing space', () => {
    const p = new SseParser();
    expect([...p.push(text), ...p.flush()]).toEqual(expected);
  });
  it('gives the same events for any split, including a \\r\\n split in the middle', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const p = new SseParser();
      const got = randomSplits(text, seed, 3).flatMap((c) => p.push(c));
      expect([...got, ...p.flush()]).toEqual(expected);
    }
  });
  it('dispatches a final unterminated event on flush', () => {
    const p = new SseParser();
    expect(p.push('data: tail')).toEqual([]);
    expect(p.flush()).toEqual([{ data: 'tail' }]);
  });
  it('pass-through mode returns whole events only, byte-for-byte', () => {
    const p = new SseParser(true);
    p.push('data: 1\n\ndata: 2');
    expect(p.takeCommittedRaw()).toBe('data: 1\n\n');
    p.push('\n\n');
    expect(p.takeCommittedRaw()).toBe('data: 2\n\n');
    p.push('data: 3');
    expect(p.takeCommittedRaw()).toBe('');
    p.flush();
    expect(p.takeCommittedRaw()).toBe('data: 3');
  });
  it('scans a long line once, not once per chunk (an 8 MB event in 16 KB chunks)', () => {
    // e.g. a Responses stream echoing a client's huge tool schema in response.created: rescanning the held line at
    // every chunk made that quadratic (seconds of CPU for one request).
    const line = `data: {"x":"${'y'.repeat(8 * 1024 * 1024)}"}`;
    const p = new SseParser(true);
    const t0 = performance.now();
    const events = [];
    for (let i = 0; i < line.length; i += 16 * 1024) events.push(...p.push(line.slice(i, i + 16 * 1024)));
    events.push(...p.push('\r'), ...p.push('\n\r\n'));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(events).toHaveLength(1);
    expect(events[0].data.length).toBe(line.length - 6);
    expect(p.takeCommittedRaw().length).toBe(line.length + 4);
  });
});

describe('encodeSseEvent (§1.1)', () => {
  it('per protocol framing', () => {
    expect(encodeSseEvent('openai-chat', { a: 1 })).toBe('data: {"a":1}\n\n');
    expect(encodeSseEvent('openai-chat', '[DONE]')).toBe('data: [DONE]\n\n');
    expect(encodeSseEvent('anthropic', { type: 'message_stop' })).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    expect(encodeSseEvent('openai-responses', { type: 'response.created' })).toBe('event: response.created\ndata: {"type":"response.created"}\n\n');
    expect(encodeSseEvent('anthropic', { type: 'x' }, 'error')).toBe('event: error\ndata: {"type":"x"}\n\n');
    expect(encodeSseEvent('gemini', { a: 'b\nc' })).toBe('data: {"a":"b\\nc"}\r\n\r\n');
  });
});

describe('SseParser with a bound on events', () => {
  it('throws once a line grows past the bound without ending (fed in small chunks)', () => {
    const p = new SseParser(false, 10_000);
    expect(p.push('data: {"a":"')).toEqual([]);
    let thrown: unknown;
    try {
      for (let i = 0; i < 100; i++) p.push('x'.repeat(1_000));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SseEventTooLargeError);
    expect((thrown as SseEventTooLargeError).code).toBe('SSE_EVENT_TOO_LARGE');
  });

  it('counts an event of many short data lines as a whole, and a whole single chunk too', () => {
    const p = new SseParser(true, 10_000);
    expect(() => p.push('data: 0123456789\n'.repeat(2_000))).toThrow(SseEventTooLargeError);
    expect(() => new SseParser(false, 10_000).push(`data: ${'y'.repeat(20_000)}`)).toThrow(SseEventTooLargeError);
  });

  it('parses events under the bound, long lines split over many chunks included, byte-for-byte in pass-through', () => {
    const long = 'z'.repeat(50_000);
    const raw = `data: {"a":1}\n\ndata: ${long}\r\n\r\ndata: end\n\n`;
    for (const size of [7, 1_000, 4_096]) {
      const p = new SseParser(true, 60_000);
      const events = [];
      let forwarded = '';
      for (let i = 0; i < raw.length; i += size) {
        events.push(...p.push(raw.slice(i, i + size)));
        forwarded += p.takeCommittedRaw();
      }
      events.push(...p.flush());
      forwarded += p.takeCommittedRaw();
      expect(events).toEqual([{ data: '{"a":1}' }, { data: long }, { data: 'end' }]);
      expect(forwarded).toBe(raw);
    }
  });

  it('a lone \r held at a chunk end still ends its line when the next chunks bring no line end', () => {
    const p = new SseParser();
    expect(p.push('data: a\r')).toEqual([]);
    expect(p.push('data')).toEqual([]);
    expect(p.push(': b')).toEqual([]);
    expect(p.push('\r\n\r\n')).toEqual([{ data: 'a\nb' }]);
  });
});
