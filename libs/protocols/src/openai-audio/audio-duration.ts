/**
 * How long an uploaded audio file plays, read from its first bytes and its size (no I/O: the edge keeps each upload's
 * head). A small header reader instead of `music-metadata`: that library is ESM-only (v8+, Node ≥ 22 for v12) and
 * asynchronous, and Jest here loads CommonJS and the accounting hooks are synchronous; its v7 (CJS) is unmaintained.
 * WAV, MP3 (Xing/Info and VBRI frame counts, else constant bit rate) and FLAC give their duration; other containers
 * (m4a, ogg, webm) fall back to `estimatedSeconds`.
 */

/** How many leading bytes of an upload the edge keeps for this reader (ID3 tags with cover art can be longer: then the estimate). */
export const AUDIO_HEAD_BYTES = 64 * 1024;

/**
 * Bytes per second assumed when a file cannot be read: 32 kbit/s, below what speech is usually encoded at (AAC/MP3
 * 64–128 kbit/s, Opus voice ≥ 24), so the estimate leans long (the reservation must not fall short).
 */
export const ESTIMATE_BYTES_PER_SECOND = 4_000;

/** Seconds of audio in a file of `bytes` whose format could not be read. */
export function estimatedSeconds(bytes: number): number {
  return bytes > 0 && Number.isFinite(bytes) ? roundUpMs(bytes / ESTIMATE_BYTES_PER_SECOND) : 0;
}

/** Seconds of audio, to the millisecond rounded up, or null when the head is not a format read here. */
export function audioDurationSeconds(head: Uint8Array, totalBytes: number): number | null {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const total = Math.max(totalBytes, b.length);
  let seconds: number | null;
  if (b.length >= 12 && (ascii(b, 0, 4) === 'RIFF' || ascii(b, 0, 4) === 'RF64') && ascii(b, 8, 4) === 'WAVE') seconds = wavSeconds(b, total);
  else if (b.length >= 42 && ascii(b, 0, 4) === 'fLaC') seconds = flacSeconds(b);
  else seconds = mp3Seconds(b, total);
  return seconds !== null && Number.isFinite(seconds) && seconds > 0 ? roundUpMs(seconds) : null;
}

const roundUpMs = (s: number) => Math.ceil(s * 1000) / 1000;
const ascii = (b: Buffer, at: number, n: number) => b.toString('latin1', at, at + n);

/** RIFF chunks up to `data`: its size over the `fmt ` byte rate (a streamed WAV's 0/0xFFFFFFFF size: the rest of the file). */
function wavSeconds(b: Buffer, total: number): number | null {
  let byteRate = 0;
  for (let at = 12; at + 8 <= b.length;) {
    const id = ascii(b, at, 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'fmt ' && at + 22 <= b.length) {
      byteRate = b.readUInt32LE(at + 16);
      // The format requires byte rate = sample rate × block align: a header that says otherwise is not believed
      // (an inflated rate would make a long upload bill as a short one).
      if (byteRate !== b.readUInt32LE(at + 12) * b.readUInt16LE(at + 20)) return null;
    }
    if (id === 'data') {
      if (!byteRate) return null;
      const rest = total - (at + 8);
      const data = size === 0 || size === 0xffffffff || size > rest ? rest : size;
      return data / byteRate;
    }
    at += 8 + size + (size & 1);
  }
  return null;
}

/** STREAMINFO: total samples over the sample rate (0 samples: unknown). */
function flacSeconds(b: Buffer): number | null {
  if ((b[4] & 0x7f) !== 0) return null;
  const s = 8; // STREAMINFO body
  const rate = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
  const samples = (b[s + 13] & 0x0f) * 2 ** 32 + b.readUInt32BE(s + 14);
  return rate && samples ? samples / rate : null;
}

const MP3_BITRATES: Record<string, readonly number[]> = {
  // [version group][layer]: kbit/s by index 1..14
  '1-1': [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_RATES: Record<number, readonly number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

interface Mp3Frame {
  mpeg1: boolean;
  layer: 1 | 2 | 3;
  kbps: number;
  rate: number;
  mono: boolean;
  length: number;
  samples: number;
}

function mp3Frame(b: Buffer, at: number): Mp3Frame | null {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return null;
  const version = (b[at + 1] >> 3) & 3; // 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5
  const layerBits = (b[at + 1] >> 1) & 3;
  const bitrateIndex = b[at + 2] >> 4;
  const rateIndex = (b[at + 2] >> 2) & 3;
  if (version === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const mpeg1 = version === 3;
  const kbps = MP3_BITRATES[`${mpeg1 ? 1 : 2}-${layer}`][bitrateIndex - 1];
  const rate = MP3_RATES[version][rateIndex];
  const padding = (b[at + 2] >> 1) & 1;
  const samples = layer === 1 ? 384 : layer === 2 || mpeg1 ? 1152 : 576;
  const length = layer === 1 ? Math.floor((12 * kbps * 1000) / rate + padding) * 4 : Math.floor((samples / 8) * ((kbps * 1000) / rate)) + padding;
  return { mpeg1, layer, kbps, rate, mono: b[at + 3] >> 6 === 3, length, samples };
}

/** The first frame (after an ID3v2 tag), confirmed by the next one; its Xing/Info or VBRI frame count, else CBR. */
function mp3Seconds(b: Buffer, total: number): number | null {
  let start = 0;
  if (b.length >= 10 && ascii(b, 0, 3) === 'ID3') {
    start = 10 + ((b[6] & 0x7f) << 21) + ((b[7] & 0x7f) << 14) + ((b[8] & 0x7f) << 7) + (b[9] & 0x7f) + (b[5] & 0x10 ? 10 : 0);
  }
  for (let at = start; at + 4 <= b.length && at < start + 4096; at++) {
    const f = mp3Frame(b, at);
    if (!f) continue;
    // A lone sync pattern inside data is not a frame: the next frame must follow where this one ends.
    if (at + f.length + 4 <= b.length && !mp3Frame(b, at + f.length)) continue;
    // However few frames a Xing/VBRI header claims, the file cannot play shorter than its size at the top bit rate.
    const atLeast = ((total - at) * 8) / (MP3_BITRATES[`${f.mpeg1 ? 1 : 2}-${f.layer}`][13] * 1000);
    const sideInfo = f.mpeg1 ? (f.mono ? 17 : 32) : f.mono ? 9 : 17;
    const xing = at + 4 + sideInfo;
    if (f.layer === 3 && xing + 12 <= b.length && ['Xing', 'Info'].includes(ascii(b, xing, 4)) && b.readUInt32BE(xing + 4) & 1) {
      const frames = b.readUInt32BE(xing + 8);
      if (frames) return Math.max((frames * f.samples) / f.rate, atLeast);
    }
    const vbri = at + 4 + 32;
    if (vbri + 18 <= b.length && ascii(b, vbri, 4) === 'VBRI') {
      const frames = b.readUInt32BE(vbri + 14);
      if (frames) return Math.max((frames * f.samples) / f.rate, atLeast);
    }
    return ((total - at) * 8) / (f.kbps * 1000);
  }
  return null;
}
