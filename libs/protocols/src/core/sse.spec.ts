import { encodeSseEvent } from './sse-encoder';
import { SseParser } from './sse-parser';
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
    expect(events[0]!.data.length).toBe(line.length - 6);
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
