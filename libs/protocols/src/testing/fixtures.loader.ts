/** Test helper: reads files from libs/protocols/fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../core/json.util';

export const FIXTURES_DIR = join(__dirname, '..', '..', 'fixtures');

export function fixtureText(path: string): string {
  return readFileSync(join(FIXTURES_DIR, path), 'utf8');
}

export function fixtureJson<T = JsonObject>(path: string): T {
  return JSON.parse(fixtureText(path)) as T;
}

/** Deterministic PRNG (mulberry32) so split tests are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts a string at random places (pieces of 1..maxPiece characters). */
export function randomSplits(text: string, seed: number, maxPiece = 17): string[] {
  const r = rng(seed);
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const n = 1 + Math.floor(r() * maxPiece);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}
