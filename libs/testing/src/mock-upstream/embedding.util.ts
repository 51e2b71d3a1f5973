import { fnv1a } from './json.util';

/**
 * Deterministic unit-length embedding of `text`. Values are float32-exact so that the float and
 * base64 encodings decode to the same numbers.
 */
export function embedVector(text: string, dims: number): Float32Array {
  const out = new Float32Array(dims);
  let x = fnv1a(text) || 0x9e3779b9;
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const v = (x / 0xffffffff) * 2 - 1;
    out[i] = v;
    norm += v * v;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dims; i++) out[i] = out[i] * inv;
  return out;
}

/** Base64 of the little-endian float32 bytes (what openai-node decodes). */
export function float32ToBase64(v: Float32Array): string {
  const buf = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i], i * 4);
  return buf.toString('base64');
}

export function toNumberArray(v: Float32Array): number[] {
  return Array.from(v);
}
