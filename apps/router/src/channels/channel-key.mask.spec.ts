import { maskChannelKey } from './channel-key.mask';

describe('maskChannelKey', () => {
  it('masks a plain key to its first 3 and last 4 characters, a short one wholly', () => {
    expect(maskChannelKey('sk-abcdefghijkl0001')).toBe('sk-…0001');
    expect(maskChannelKey('AKIAEXAMPLE:secretsecret')).toBe('AKI…cret');
    expect(maskChannelKey('short')).toBe('****');
  });

  it('names a JSON credential by the field that tells accounts apart, never showing a secret', () => {
    const sa = JSON.stringify({ type: 'service_account', private_key: '-----BEGIN PRIVATE KEY-----\nMII…', client_email: 'svc-1@p.iam.gserviceaccount.com' });
    expect(maskChannelKey(sa)).toBe('{"client_email":"svc-1@p.iam.gserviceaccount.com"}');
    const kiro = (rt: string) =>
      JSON.stringify({ refreshToken: rt, authMethod: 'IdC', clientId: 'oidc-client', clientSecret: 'cs-secret', region: 'us-east-1' });
    expect([maskChannelKey(kiro('aorAAAAfirst-account-0001')), maskChannelKey(kiro('aorAAAAsecond-account-0002'))]).toEqual([
      '{"refreshToken":"aor…0001"}',
      '{"refreshToken":"aor…0002"}',
    ]);
    expect(maskChannelKey(JSON.stringify({ tenantId: 'contoso', clientId: 'app-0001', clientSecret: 'Q~s3cr3t.value' }))).toBe('{"clientId":"app-0001"}');
  });

  it('masks JSON without such a field, or not JSON at all, like any key', () => {
    expect(maskChannelKey('{"token":"abcdefghijklmnop"}')).toBe('{"t…op"}');
    expect(maskChannelKey('{not json at all}')).toBe('{no…all}');
    expect(maskChannelKey('["a-key-in-an-array"]')).toBe('["a…ay"]');
  });
});
