/** Keys from pasted text: one per line, blanks and surrounding spaces dropped. */
export function keysFromText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export type KeyFileResult = { keys: string[] } | { error: 'json' | 'jsonShape' };

/** A `.json` file must hold an array of strings; any other file is read as text, one key per line. */
export function keysFromFile(name: string, text: string): KeyFileResult {
  if (!/\.json$/i.test(name)) return { keys: keysFromText(text) };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'json' };
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return { error: 'jsonShape' };
  return { keys: v.map((s) => s.trim()).filter(Boolean) };
}

/** What the preview says before anything is sent: the distinct keys and how many lines repeat one. */
export function keyPreview(keys: string[]): { unique: string[]; repeated: number } {
  const unique = [...new Set(keys)];
  return { unique, repeated: keys.length - unique.length };
}
