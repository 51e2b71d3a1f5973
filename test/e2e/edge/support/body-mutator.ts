// Seeded mutations of request bodies for the edge fuzz suite: the same seed gives the same sequence of requests.
import { rng as mulberry32 } from '../../../../libs/protocols/src/testing/fixtures.loader';

/** mulberry32, seedable: the same seed gives the same values. */
export const prng = mulberry32;

export type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'then', '0', 'length'];
const ODD_NUMBERS = [0, -1, -0.5, 3.14159, 1e300, -1e300, 2 ** 53, 2 ** 31, -(2 ** 31), 1e-300, 4294967296, 1.5];
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '😀'.repeat(50),
  'x'.repeat(70_000),
  '[chunks:3]',
  '{"a":1}',
  'null',
  '-1',
  'data: [DONE]\n\n',
  '\r\n\r\n',
  'models/../x',
];

function oddValue(rng: Rng, depth = 0): Json {
  switch (Math.floor(rng() * 9)) {
    case 0:
      return null;
    case 1:
      return rng() < 0.5;
    case 2:
      return pick(rng, ODD_NUMBERS);
    case 3:
      return pick(rng, ODD_STRINGS);
    case 4:
      return depth > 2 ? [] : [oddValue(rng, depth + 1), oddValue(rng, depth + 1)];
    case 5:
      return depth > 2
        ? {}
        : { [pick(rng, ODD_KEYS)]: oddValue(rng, depth + 1), type: pick(rng, ['text', 'image', 'tool_use', 'function', 'image_url', 'input_text', 'bogus']) };
    case 6:
      return Math.floor(rng() * 1000);
    case 7:
      return pick(rng, ['text', 'user', 'assistant', 'system', 'tool', 'model', 'function']);
    default:
      return {};
  }
}

/** Every container path of a value (objects and arrays), with the value at it. */
function containers(v: Json, path: (string | number)[] = [], out: { path: (string | number)[]; node: Json[] | { [k: string]: Json } }[] = []) {
  if (v && typeof v === 'object') {
    out.push({ path, node: v });
    if (Array.isArray(v)) v.forEach((x, i) => containers(x, [...path, i], out));
    else for (const [k, x] of Object.entries(v)) containers(x, [...path, k], out);
  }
  return out;
}

const deep = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);

export interface Mutated {
  /** what was done, for the failure report */
  what: string;
  body: Buffer;
  /** a content type other than application/json, or null to send none */
  contentType?: string | null;
}

/** One mutation of a valid body: structure-level (on the value) or byte-level (on the text). */
export function mutate(rng: Rng, base: Json): Mutated {
  const value = structuredClone(base);
  const spots = containers(value);
  const spot = pick(rng, spots);
  const keys: (string | number)[] = Array.isArray(spot.node) ? spot.node.map((_, i) => i) : Object.keys(spot.node);
  const key = keys.length ? pick(rng, keys) : undefined;
  const set = (k: string | number, v: Json) => {
    (spot.node as Record<string | number, Json>)[k] = v;
  };
  const at = `${spot.path.join('.') || '(root)'}${key !== undefined ? `.${key}` : ''}`;
  const text = () => JSON.stringify(value);
  const kind = Math.floor(rng() * 16);
  switch (kind) {
    case 0: // type swap
      if (key !== undefined) set(key, oddValue(rng));
      return { what: `type swap at ${at}`, body: Buffer.from(text()) };
    case 1: // delete
      if (key !== undefined) {
        if (Array.isArray(spot.node)) spot.node.splice(Number(key), 1);
        else delete (spot.node as Record<string, Json>)[key as string];
      }
      return { what: `delete ${at}`, body: Buffer.from(text()) };
    case 2: {
      // duplicated field (the last one wins in JSON.parse), written in the text
      const t = text();
      const i = t.indexOf('":');
      const j = t.lastIndexOf('"', i - 1);
      const dup = i > 0 && j >= 0 ? `${t.slice(0, j)}${t.slice(j, i + 2)}${JSON.stringify(oddValue(rng))},${t.slice(j)}` : t;
      return { what: 'duplicated field', body: Buffer.from(dup) };
    }
    case 3: {
      // an odd number where the body has a number (max_tokens, temperature, budgets, dimensions…)
      const numeric = containers(value).flatMap((c) =>
        Object.entries(c.node)
          .filter(([, v]) => typeof v === 'number')
          .map(([k]) => ({ c, k })),
      );
      const target = numeric.length ? pick(rng, numeric) : undefined;
      if (target) (target.c.node as Record<string, Json>)[target.k] = pick(rng, ODD_NUMBERS);
      return { what: `odd number at ${target ? [...target.c.path, target.k].join('.') : '(none)'}`, body: Buffer.from(text()) };
    }
    case 4: {
      // numbers as text, which JSON.stringify cannot write: 1e999 (→ Infinity), -0, 1E+400
      const n = pick(rng, ['1e999', '-1e999', '-0', '1E+400', '0.0000000000000000000001', '123456789012345678901234567890']);
      const t = text().replace(/:(-?\d+(?:\.\d+)?)/, `:${n}`);
      return { what: `raw number ${n}`, body: Buffer.from(t) };
    }
    case 5: // deep nesting somewhere
      if (key !== undefined) set(key, JSON.parse(deep(Math.floor(10 + rng() * 140), '[', ']')) as Json);
      return { what: `deep nesting at ${at}`, body: Buffer.from(text()) };
    case 6: {
      // very deep nesting as text (past MAX_JSON_DEPTH), never parsed by the fuzzer
      const t = text();
      const i = t.lastIndexOf('}');
      return { what: 'very deep text', body: Buffer.from(`${t.slice(0, i)},"x":${deep(1000 + Math.floor(rng() * 5000), '{"a":', '}')}}`) };
    }
    case 7: {
      // invalid UTF-8 bytes inside a string
      const b = Buffer.from(text());
      const q = b.indexOf(0x22, Math.floor(rng() * b.length));
      const bad = pick(rng, [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]);
      const at2 = q < 0 ? 1 : q + 1;
      return { what: `invalid UTF-8 ${bad.join(',')}`, body: Buffer.concat([b.subarray(0, at2), Buffer.from(bad), b.subarray(at2)]) };
    }
    case 8: {
      // truncated
      const b = Buffer.from(text());
      return { what: 'truncated', body: b.subarray(0, Math.floor(rng() * b.length)) };
    }
    case 9: // wrong or missing content type
      return {
        what: 'content type',
        body: Buffer.from(text()),
        contentType: pick(rng, [
          null,
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=latin1',
          'application/xml',
        ]),
      };
    case 10: {
      // odd keys, also as raw text (JSON.stringify drops __proto__ set through assignment)
      const odd = pick(rng, ODD_KEYS);
      const t = text();
      const i = t.indexOf('{');
      return {
        what: `odd key ${JSON.stringify(odd)}`,
        body: Buffer.from(`${t.slice(0, i + 1)}${JSON.stringify(odd)}:${JSON.stringify(oddValue(rng))},${t.slice(i + 1)}`),
      };
    }
    case 11: // root not an object
      return { what: 'root', body: Buffer.from(JSON.stringify(pick(rng, [null, [], [value], 'text', 42, true] as Json[]))) };
    case 12: // empty
      return { what: 'empty body', body: Buffer.alloc(0) };
    case 13: {
      // several structural mutations at once
      for (let i = 0; i < 3; i++) {
        const s = pick(rng, containers(value));
        const ks: (string | number)[] = Array.isArray(s.node) ? s.node.map((_, j) => j) : Object.keys(s.node);
        if (ks.length) (s.node as Record<string | number, Json>)[pick(rng, ks)] = oddValue(rng);
      }
      return { what: 'three type swaps', body: Buffer.from(text()) };
    }
    case 14: // an added field of any kind
      if (!Array.isArray(spot.node))
        spot.node[
          pick(rng, [
            'stream',
            'tools',
            'tool_choice',
            'n',
            'max_tokens',
            'system',
            'thinking',
            'response_format',
            'input',
            'contents',
            'generationConfig',
            'stream_options',
            'metadata',
            'model',
          ])
        ] = oddValue(rng);
      return { what: `added field at ${spot.path.join('.') || '(root)'}`, body: Buffer.from(text()) };
    default: {
      // a huge array or string
      if (key !== undefined) set(key, rng() < 0.5 ? Array.from({ length: 5000 }, () => oddValue(rng, 3)) : 'y'.repeat(Math.floor(rng() * 60_000)));
      return { what: `big value at ${at}`, body: Buffer.from(text()) };
    }
  }
}
