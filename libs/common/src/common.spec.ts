import { SecretBox, generateApiKey, hashApiKey, ipAllowed, cidrError, maskSecret } from './index';

describe('common', () => {
  it('api keys: sk- + 48 base62, hashed as sha256', () => {
    const k = generateApiKey();
    expect(k).toMatch(/^sk-[A-Za-z0-9]{48}$/);
    expect(generateApiKey()).not.toBe(k);
    expect(hashApiKey(k)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ip allow-list: exact, CIDR, v6, mapped v4, empty = all', () => {
    expect(ipAllowed([], '1.2.3.4')).toBe(true);
    expect(ipAllowed(['10.0.0.0/8'], '10.1.2.3')).toBe(true);
    expect(ipAllowed(['10.0.0.0/8'], '11.1.2.3')).toBe(false);
    expect(ipAllowed(['127.0.0.1'], '::ffff:127.0.0.1')).toBe(true);
    expect(ipAllowed(['::1'], '::1')).toBe(true);
    expect(ipAllowed(['2001:db8::/32'], '2001:db8::5')).toBe(true);
    expect(cidrError('10.0.0.0/33')).toMatch(/prefix/);
    expect(cidrError('300.1.1.1')).toMatch(/not an IP/);
    expect(cidrError('10.0.0.0/8')).toBeNull();
  });

  it('secret box round-trips and detects tampering', () => {
    const box = new SecretBox('ab'.repeat(32));
    const c = box.encrypt('sk-upstream-123');
    expect(c).not.toContain('sk-upstream');
    expect(box.decrypt(c)).toBe('sk-upstream-123');
    const parts = c.split(':');
    parts[3] = Buffer.from('evil').toString('base64url');
    expect(() => box.decrypt(parts.join(':'))).toThrow();
    expect(() => new SecretBox('cd'.repeat(32)).decrypt(c)).toThrow();
    expect(maskSecret('sk-upstream-123')).toBe('sk-…-123');
  });
});
