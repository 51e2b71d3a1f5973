import { isRecord, type JsonRecord } from './json.util';

/**
 * Directives a test writes in the last user message to steer the mock. They travel in the message
 * text, so they survive any gateway that rewrites headers or converts protocols.
 */
export interface Directives {
  calls: { name: string; args: JsonRecord }[];
  think: boolean;
  /** `[think-tags]`: the reasoning written into the answer text in `<think>` tags (a model served without a reasoning parser) */
  thinkTags?: boolean;
  cache?: { read: number; write: number };
  chunks?: number;
  delayMs?: number;
  errorStatus?: number;
  /** The text with every directive removed and whitespace collapsed. */
  text: string;
}

const SIMPLE = /\[(think-tags|think|cache(?::(\d+)(?:\/(\d+))?)?|chunks:(\d+)|delay:(\d+)|error:(\d{3}))\]/gi;
const CALL_OPEN = /\[call:([A-Za-z0-9_.:-]+)/g;

export const DEFAULT_CACHE_READ = 1024;

export function parseDirectives(input: string): Directives {
  const out: Directives = { calls: [], think: false, text: '' };
  if (!input.includes('[')) {
    out.text = collapse(input);
    return out;
  }
  let text = stripCalls(input, out.calls);
  text = text.replace(SIMPLE, (_m, word: string, cr?: string, cw?: string, ch?: string, dl?: string, er?: string) => {
    const w = word.toLowerCase();
    if (w === 'think') out.think = true;
    else if (w === 'think-tags') out.thinkTags = true;
    else if (w.startsWith('cache')) out.cache = { read: cr ? Number(cr) : DEFAULT_CACHE_READ, write: cw ? Number(cw) : 0 };
    else if (ch) out.chunks = Math.max(1, Math.min(10_000, Number(ch)));
    else if (dl) out.delayMs = Math.min(600_000, Number(dl));
    else if (er) out.errorStatus = Number(er);
    return ' ';
  });
  out.text = collapse(text);
  return out;
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Removes `[call:name {json}]` directives (JSON may contain `]`), collecting the valid ones. */
function stripCalls(input: string, calls: Directives['calls']): string {
  let result = '';
  let last = 0;
  CALL_OPEN.lastIndex = 0;
  for (let m = CALL_OPEN.exec(input); m; m = CALL_OPEN.exec(input)) {
    let i = m.index + m[0].length;
    while (input[i] === ' ') i++;
    let args: JsonRecord = {};
    if (input[i] === '{') {
      const end = matchBrace(input, i);
      if (end < 0) continue;
      try {
        const parsed: unknown = JSON.parse(input.slice(i, end + 1));
        if (!isRecord(parsed)) continue;
        args = parsed;
      } catch {
        continue;
      }
      i = end + 1;
      while (input[i] === ' ') i++;
    }
    if (input[i] !== ']') continue;
    calls.push({ name: m[1], args });
    result += input.slice(last, m.index) + ' ';
    last = i + 1;
    CALL_OPEN.lastIndex = last;
  }
  return result + input.slice(last);
}

function matchBrace(s: string, start: number): number {
  let depth = 0;
  let inStr = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}
