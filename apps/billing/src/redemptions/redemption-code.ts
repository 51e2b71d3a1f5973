import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LENGTH = 32;

/** `rc-` + 32 random base62 characters (~190 bits): guessing one is hopeless, so redeem needs no lockout. */
export function generateRedemptionCode(): string {
  const out: string[] = [];
  while (out.length < LENGTH) {
    for (const b of randomBytes(48)) {
      // 248 = 62 × 4: rejection sampling keeps the alphabet uniform.
      if (b < 248 && out.length < LENGTH) out.push(ALPHABET[b % 62]);
    }
  }
  return 'rc-' + out.join('');
}

/** Only this digest is stored (redemptions.code), like API keys: a copy of the database redeems nothing. */
export function hashRedemptionCode(code: string): string {
  return createHash('sha256').update(code.trim()).digest('hex');
}

/** For audit snapshots and replies that must not reveal a code. */
export function maskRedemptionCode(code: string): string {
  return code.slice(0, 7) + '…' + code.slice(-4);
}
