import { SecretBox } from '@switchboard/common';
import { keepUnchangedMasked, maskChannelSecrets, readChannelSecrets, sealChannelSecrets } from './channel-secrets';

describe('channel secrets (headers, paramOverride)', () => {
  const box = new SecretBox('4e8b2d6f1a9c3e7b0d5f2a8c6e1b4d9f7a3c0e5b8d2f6a1c9e4b7d0f3a6c8e2b');
  const secrets = { headers: { 'APP-Code': 'APPCODE-1234567', 'X-Short': 'abc' }, paramOverride: { api_key: 'sk-body-secret-0000', temperature: 0.2 } };

  it('stores ciphertext only, and reads back the real values', () => {
    const cols = sealChannelSecrets(secrets, box);
    expect(JSON.stringify(cols)).not.toMatch(/APPCODE|sk-body|temperature/);
    const row = {
      headersCiphertext: cols.headersCiphertext!,
      paramOverrideCiphertext: cols.paramOverrideCiphertext!,
      legacyHeaders: null,
      legacyParamOverride: null,
    };
    expect(readChannelSecrets(row, box)).toEqual(secrets);
    // another SECRET_KEY cannot read them
    expect(() => readChannelSecrets(row, new SecretBox('1'.repeat(63) + '2'))).toThrow();
    // empty maps store nothing
    expect(sealChannelSecrets({ headers: {}, paramOverride: {} }, box)).toMatchObject({ headersCiphertext: null, paramOverrideCiphertext: null });
  });

  it('masks values, keeps names', () => {
    expect(maskChannelSecrets(secrets)).toEqual({
      headers: { 'APP-Code': 'APP…4567', 'X-Short': '****' },
      paramOverride: { api_key: 'sk-…0000', temperature: '****' },
    });
  });

  it('an update that sends a masked value back keeps the stored one; a new value replaces it', () => {
    const masked = maskChannelSecrets(secrets);
    expect(keepUnchangedMasked({ ...masked.headers, 'X-Short': 'new-value' }, secrets.headers)).toEqual({
      'APP-Code': 'APPCODE-1234567',
      'X-Short': 'new-value',
    });
    expect(keepUnchangedMasked(masked.paramOverride, secrets.paramOverride)).toEqual(secrets.paramOverride);
    // a header that did not exist is taken as given, even if it looks like a mask
    expect(keepUnchangedMasked({ 'X-New': '****' }, secrets.headers)).toEqual({ 'X-New': '****' });
  });
});
