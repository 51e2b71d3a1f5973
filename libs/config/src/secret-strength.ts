/**
 * Values that were ever shipped or documented as stand-ins (compose, the k8s Secret, READMEs) and the obvious ones:
 * a deployment that kept one of them has a key anybody can read in this repository.
 */
const PLACEHOLDER_MARKS = ['change-me', 'changeme', 'change_me', 'replace-me', 'replaceme', 'placeholder', 'example'];
/** A key made only of these words (plus digits and punctuation: `admin-password-123`) is a guess away. */
const COMMON_WORDS = ['secret', 'password', 'passwd', 'pass', 'admin', 'root', 'test', 'default', 'key', 'token', 'qwerty', 'letmein'];

const HOW_TO = 'generate one with `openssl rand -hex 32`';

function placeholder(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (PLACEHOLDER_MARKS.some((m) => v.includes(m))) return true;
  const letters = v.replace(/[^a-z]/g, '');
  return letters !== '' && COMMON_WORDS.reduce((rest, w) => rest.replaceAll(w, ''), letters) === '';
}

/** Fewer distinct characters than this in a 16+ character key: a repeated pattern, not a random key. */
const MIN_DISTINCT_ADMIN_CHARS = 6;
/** Fewer distinct bytes than this in 32: a repeated pattern (random 32 bytes have ≈30; P(< 16) is negligible). */
const MIN_DISTINCT_SECRET_BYTES = 16;

/** Why ADMIN_KEY must not be used, or null. */
export function adminKeyProblem(value: string): string | null {
  if (placeholder(value)) return `is a placeholder value; ${HOW_TO}`;
  if (new Set(value).size < MIN_DISTINCT_ADMIN_CHARS) return `is too weak (a repeated character pattern); ${HOW_TO}`;
  return null;
}

/** Why SECRET_KEY (64 hex digits, already checked) must not be used, or null. */
export function secretKeyProblem(hex: string): string | null {
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.every((b) => b === 0)) return `is all zeros (a placeholder); ${HOW_TO}`;
  if (placeholder(hex)) return `is a placeholder value; ${HOW_TO}`;
  if (new Set(bytes).size < MIN_DISTINCT_SECRET_BYTES) return `is too weak (a repeated byte pattern, not random); ${HOW_TO}`;
  return null;
}
