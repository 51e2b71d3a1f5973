import { createHash, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app reads it: SHA1, 6 digits, 30 s. */
const PERIOD = 30;
const ISSUER = 'Switchboard';
/** Codes one step either side are accepted (a phone clock a little off). */
const WINDOW = 1;

const totpOf = (secretBase32: string, label: string) =>
  new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secretBase32) });

/** A new 160-bit secret (base32) and the otpauth:// URI an authenticator app scans. */
export function newTotpSecret(label: string): { secret: string; uri: string } {
  const secret = new Secret({ size: 20 }).base32;
  return { secret, uri: totpOf(secret, label).toString() };
}

/**
 * The time step a 6-digit `code` belongs to at `now`, or null when it is not valid then. The caller refuses a step not
 * later than the last one it accepted, so a code seen once (over a shoulder, in a log) cannot be used again.
 */
export function totpStep(secretBase32: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secretBase32, 'x').validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD) + delta;
}

// No 0/O, 1/I/L: a code read off paper is typed right.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const BACKUP_CODE_COUNT = 8;

/** Ten backup codes' worth of randomness each (about 49 bits), shown as `XXXXX-XXXXX`. */
export function newBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** What is stored of a backup code: sha256 of it without dashes or spaces, upper-case (typed any way, it matches). */
export function backupCodeHash(code: string): string {
  return createHash('sha256').update(code.replace(/[\s-]/g, '').toUpperCase()).digest('hex');
}

export const looksLikeBackupCode = (code: string): boolean => code.replace(/[\s-]/g, '').length === 10;
