/** A key that is a JSON credential (a Vertex service account, a Kiro token) is sent as one line of compact JSON. */
const jsonKey = (v: unknown): string | undefined =>
  typeof v === 'string' ? v.trim() : v && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : undefined;

/**
 * Keys from pasted text: one per line, blanks and surrounding spaces dropped; a pasted JSON credential (an object, such
 * as a service-account key file, or an array of them) is one key each, whatever its line breaks.
 */
export function keysFromText(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[{')) {
    try {
      const v: unknown = JSON.parse(t);
      const keys = (Array.isArray(v) ? v : [v]).map(jsonKey);
      if (keys.every((k): k is string => k !== undefined)) return keys.filter(Boolean);
    } catch {
      // not JSON: one key per line
    }
  }
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export type KeyFileResult = { keys: string[] } | { error: 'json' | 'jsonShape' };

/** A `.json` file holds an array of keys or one credential object; any other file is read as text, one key per line. */
export function keysFromFile(name: string, text: string): KeyFileResult {
  if (!/\.json$/i.test(name)) return { keys: keysFromText(text) };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'json' };
  }
  const keys = (Array.isArray(v) ? v : [v]).map(jsonKey);
  if (!keys.every((k): k is string => k !== undefined)) return { error: 'jsonShape' };
  return { keys: keys.filter(Boolean) };
}

/** What the preview says before anything is sent: the distinct keys and how many lines repeat one. */
export function keyPreview(keys: string[]): { unique: string[]; repeated: number } {
  const unique = [...new Set(keys)];
  return { unique, repeated: keys.length - unique.length };
}
