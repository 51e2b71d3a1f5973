/** Embedding vectors as the OpenAI SDK's base64 form: little-endian float32 bytes (§4.1). */
export function floatsToBase64(values: readonly number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}

export function base64ToFloats(b64: string): number[] {
  const buf = Buffer.from(b64, 'base64');
  const out: number[] = new Array<number>(Math.floor(buf.length / 4));
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}
