import { crc32, deflateSync } from 'node:zlib';
import { fnv1a } from '../json.util';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/**
 * A real PNG (8×8, one colour from the seed, the seed in a tEXt chunk), so every image the mock makes is a valid file
 * that differs by prompt and index, and a test can tell which request made it.
 */
export function mockPng(seed: string): Buffer {
  const rgb = fnv1a(seed) & 0xffffff;
  const row = Buffer.alloc(1 + 8 * 3);
  for (let x = 0; x < 8; x++) row.writeUIntBE(rgb, 1 + x * 3, 3);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(8, 0);
  ihdr.writeUInt32BE(8, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from(`Comment\0${seed}`, 'latin1')),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: 8 }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The seed a mock PNG carries (its tEXt comment), or undefined for any other file. */
export function mockPngSeed(png: Buffer): string | undefined {
  const at = png.indexOf('tEXtComment\0', 0, 'latin1');
  if (at < 0) return undefined;
  const len = png.readUInt32BE(at - 4);
  return png.subarray(at + 12, at + 4 + len).toString('latin1');
}

/** Whether bytes start like a PNG, JPEG or WebP (what OpenAI's image endpoints accept). */
export function imageKind(bytes: Buffer): 'png' | 'jpeg' | 'webp' | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return undefined;
}
