import { crc32 } from 'node:zlib';

/**
 * One AWS event-stream message (`application/vnd.amazon.eventstream`), built byte by byte from the format: prelude
 * (total length, headers length, CRC32 of both), string headers (type 7), payload, CRC32 of everything before it.
 * Written without the SDK's codec, so the gateway's reader (smithy's codec) is checked against an independent writer.
 */
export function eventStreamFrame(headers: Record<string, string>, payload: string | Buffer): Buffer {
  const headerBytes = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name, 'utf8');
      const v = Buffer.from(value, 'utf8');
      const b = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
      b.writeUInt8(n.length, 0);
      n.copy(b, 1);
      b.writeUInt8(7, 1 + n.length);
      b.writeUInt16BE(v.length, 2 + n.length);
      v.copy(b, 4 + n.length);
      return b;
    }),
  );
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const total = 12 + headerBytes.length + body.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headerBytes.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  headerBytes.copy(out, 12);
  body.copy(out, 12 + headerBytes.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

/** An `event` frame as Bedrock sends them. */
export function eventFrame(eventType: string, payload: unknown): Buffer {
  return eventStreamFrame({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' }, JSON.stringify(payload));
}

/** A modeled exception frame (`throttlingException`, `modelStreamErrorException`…) with its `{"message"}` payload. */
export function exceptionFrame(exceptionType: string, message: string): Buffer {
  return eventStreamFrame({ ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' }, JSON.stringify({ message }));
}

/** InvokeModelWithResponseStream's `chunk` frame: an Anthropic stream event as base64 JSON under `bytes`. */
export function chunkFrame(event: unknown): Buffer {
  return eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(event), 'utf8').toString('base64') });
}
