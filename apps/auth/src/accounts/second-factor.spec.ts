import { Secret, TOTP } from 'otpauth';
import { backupCodeHash, looksLikeBackupCode, newBackupCodes, newTotpSecret, totpStep } from './second-factor';

// A fixed clock: 2026-12-06T12:00:00Z is step 59_361_840 (30-second steps since the epoch).
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const STEP = Math.floor(NOW / 30_000);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const app = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(SECRET) });

describe('TOTP (RFC 6238, fixed clock)', () => {
  it('accepts the current code and one step either side, as the step it belongs to', () => {
    expect(totpStep(SECRET, app.generate({ timestamp: NOW }), NOW)).toBe(STEP);
    expect(totpStep(SECRET, app.generate({ timestamp: NOW - 30_000 }), NOW)).toBe(STEP - 1);
    expect(totpStep(SECRET, app.generate({ timestamp: NOW + 30_000 }), NOW)).toBe(STEP + 1);
  });

  it('refuses codes two steps away, of another secret, or not six digits', () => {
    expect(totpStep(SECRET, app.generate({ timestamp: NOW - 60_000 }), NOW)).toBeNull();
    expect(totpStep(SECRET, app.generate({ timestamp: NOW + 90_000 }), NOW)).toBeNull();
    const other = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: new Secret({ size: 20 }) });
    const code = other.generate({ timestamp: NOW });
    if (code !== app.generate({ timestamp: NOW })) expect(totpStep(SECRET, code, NOW)).toBeNull();
    expect(totpStep(SECRET, '12345', NOW)).toBeNull();
    expect(totpStep(SECRET, 'abcdef', NOW)).toBeNull();
  });

  it('makes a 160-bit secret and an otpauth URI an authenticator app reads', () => {
    const { secret, uri } = newTotpSecret('alice');
    expect(Secret.fromBase32(secret).bytes).toHaveLength(20);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Switchboard:alice\?/);
    expect(uri).toContain(`secret=${secret}`);
  });
});

describe('backup codes', () => {
  it('are eight distinct XXXXX-XXXXX codes; the stored hash ignores case, dashes and spaces', () => {
    const codes = newBackupCodes();
    expect(codes).toHaveLength(8);
    expect(new Set(codes).size).toBe(8);
    for (const c of codes) expect(c).toMatch(/^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$/);
    expect(backupCodeHash('abcde-fghjk')).toBe(backupCodeHash('ABCDE FGHJK'));
    expect(backupCodeHash('ABCDE-FGHJK')).toMatch(/^[0-9a-f]{64}$/);
    expect([looksLikeBackupCode('ABCDE-FGHJK'), looksLikeBackupCode('123456')]).toEqual([true, false]);
  });
});
