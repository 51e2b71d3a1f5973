import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../testing/fixtures.loader';
import { AUDIO_HEAD_BYTES, audioDurationSeconds, estimatedSeconds } from './audio-duration';

// Fixtures: espeak-ng speech resampled by sox to 16 kHz mono (4.085 s, `soxi -D`), then lame (-b 32 -t: CBR without an
// Info frame; -V 6: VBR with a Xing frame count) and flac. MP3 adds the encoder's padding: 116 frames × 576 / 16 kHz.
const audio = (name: string) => readFileSync(join(FIXTURES_DIR, 'audio', name));
const headOf = (b: Buffer) => b.subarray(0, AUDIO_HEAD_BYTES);

describe('audioDurationSeconds (from the head of an upload and its size)', () => {
  it('reads WAV from its fmt byte rate and data size', () => {
    const wav = audio('speech.wav');
    expect(audioDurationSeconds(headOf(wav), wav.length)).toBeCloseTo(4.085, 3);
  });

  it('reads a streamed WAV (data size 0xFFFFFFFF) as the rest of the file', () => {
    const wav = Buffer.from(audio('speech.wav'));
    const data = wav.indexOf('data', 12, 'latin1');
    wav.writeUInt32LE(0xffffffff, data + 4);
    expect(audioDurationSeconds(headOf(wav), wav.length)).toBeCloseTo(4.085, 3);
  });

  it('reads FLAC from STREAMINFO', () => {
    const flac = audio('speech.flac');
    expect(audioDurationSeconds(headOf(flac), flac.length)).toBeCloseTo(4.085, 3);
  });

  it('reads a VBR MP3 from its Xing frame count, not its size', () => {
    const mp3 = audio('speech-vbr.mp3');
    expect(audioDurationSeconds(headOf(mp3), mp3.length)).toBeCloseTo(4.176, 3);
    // the size alone would say otherwise: the count is what is read
    expect(audioDurationSeconds(headOf(mp3), mp3.length + 10_000)).toBeCloseTo(4.176, 3);
  });

  it('reads a CBR MP3 without an Info frame from its bit rate and size, after an ID3v2 tag', () => {
    const mp3 = audio('speech-cbr.mp3');
    expect(audioDurationSeconds(headOf(mp3), mp3.length)).toBeCloseTo(4.176, 2);
    const tag = Buffer.alloc(10 + 300);
    tag.write('ID3', 0, 'latin1');
    tag[3] = 4;
    tag[9] = 300 & 0x7f;
    tag[8] = 300 >> 7; // syncsafe size
    const tagged = Buffer.concat([tag, mp3]);
    expect(audioDurationSeconds(headOf(tagged), tagged.length)).toBeCloseTo(4.176, 2);
  });

  it('does not believe a header that would make a long upload bill as a short one', () => {
    const wav = Buffer.from(audio('speech.wav'));
    wav.writeUInt32LE(32_000 * 1000, 28); // byte rate ≠ sample rate × block align
    expect(audioDurationSeconds(headOf(wav), wav.length)).toBeNull();
    const mp3 = Buffer.from(audio('speech-vbr.mp3'));
    const xing = mp3.indexOf('Xing', 0, 'latin1');
    mp3.writeUInt32BE(1, xing + 8); // one frame claimed
    // at most 160 kbit/s (MPEG-2 layer III): 30 492 bytes play at least 1.52 s
    expect(audioDurationSeconds(headOf(mp3), mp3.length)).toBeCloseTo((30_492 * 8) / 160_000, 2);
  });

  it('knows nothing of other formats or garbage (null), and never throws on a cut header', () => {
    expect(audioDurationSeconds(Buffer.from('not audio at all, just text'), 27)).toBeNull();
    expect(audioDurationSeconds(Buffer.alloc(0), 0)).toBeNull();
    const wav = audio('speech.wav');
    for (let n = 0; n < 60; n++) expect(() => audioDurationSeconds(wav.subarray(0, n), wav.length)).not.toThrow();
    expect(audioDurationSeconds(wav.subarray(0, 20), wav.length)).toBeNull();
  });
});

describe('estimatedSeconds (a format not read here)', () => {
  it('assumes 32 kbit/s, so a file is estimated longer rather than shorter', () => {
    expect(estimatedSeconds(4_000 * 60)).toBe(60);
    expect(estimatedSeconds(0)).toBe(0);
    expect(estimatedSeconds(Number.NaN)).toBe(0);
  });
});
