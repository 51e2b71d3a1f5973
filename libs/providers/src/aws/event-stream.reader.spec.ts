import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { AwsEventStreamError, AwsEventStreamReader } from './event-stream.reader';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const frame = (headers: Record<string, string>, payload: string) =>
  Buffer.from(
    codec.encode({
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: 'string' as const, value: v }])),
      body: fromUtf8(payload),
    }),
  );

describe('AwsEventStreamReader', () => {
  const a = frame({ ':message-type': 'event', ':event-type': 'messageStart' }, '{"role":"assistant"}');
  const b = frame({ ':message-type': 'event', ':event-type': 'contentBlockDelta' }, '{"contentBlockIndex":0,"delta":{"text":"hé"}}');

  it('decodes frames split at every byte position across reads', () => {
    const all = Buffer.concat([a, b]);
    for (let cut = 0; cut <= all.length; cut++) {
      const r = new AwsEventStreamReader();
      const got = [...r.push(all.subarray(0, cut)), ...r.push(all.subarray(cut))];
      r.end();
      expect(got.map((m) => [m.headers[':event-type'], JSON.parse(m.payload)])).toEqual([
        ['messageStart', { role: 'assistant' }],
        ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'hé' } }],
      ]);
    }
  });

  it('rejects a frame whose CRC does not match', () => {
    const bad = Buffer.from(b);
    bad[bad.length - 6] ^= 0xff;
    expect(() => new AwsEventStreamReader().push(bad)).toThrow(AwsEventStreamError);
  });

  it('throws exception frames with their type and message', () => {
    const ex = frame({ ':message-type': 'exception', ':exception-type': 'throttlingException' }, '{"message":"Too many requests"}');
    expect(() => new AwsEventStreamReader().push(ex)).toThrow(expect.objectContaining({ code: 'throttlingException', message: 'Too many requests' }));
  });

  it('an exception after messages of the same read: the messages first (they are not lost), the exception at the next call', () => {
    const ex = frame({ ':message-type': 'exception', ':exception-type': 'modelStreamErrorException' }, '{"message":"stopped"}');
    const r = new AwsEventStreamReader();
    expect(r.push(Buffer.concat([a, b, ex])).map((m) => m.headers[':event-type'])).toEqual(['messageStart', 'contentBlockDelta']);
    expect(() => r.end()).toThrow(expect.objectContaining({ code: 'modelStreamErrorException' }));
  });

  it('a stream cut inside a frame is an error at its end', () => {
    const r = new AwsEventStreamReader();
    r.push(a.subarray(0, 10));
    expect(() => r.end()).toThrow(/inside a frame/);
  });

  it('messages before an exception in the same read are delivered, the exception thrown next', () => {
    const ex = frame({ ':message-type': 'exception', ':exception-type': 'throttlingException' }, '{"message":"Too many requests"}');
    const r = new AwsEventStreamReader();
    expect(r.push(Buffer.concat([a, ex])).map((m) => m.headers[':event-type'])).toEqual(['messageStart']);
    expect(() => r.end()).toThrow(expect.objectContaining({ code: 'throttlingException' }));
  });
});
