import { accepts } from './static-files';

describe('accepts (Accept-Encoding)', () => {
  it('reads codings, their q-values and the wildcard', () => {
    expect(accepts('gzip, deflate, br', 'br')).toBe(true);
    expect(accepts('gzip, br;q=0', 'br')).toBe(false);
    expect(accepts('gzip;q=0.5', 'gzip')).toBe(true);
    expect(accepts('*', 'br')).toBe(true);
    expect(accepts('identity', 'gzip')).toBe(false);
    expect(accepts(undefined, 'gzip')).toBe(false);
    expect(accepts('BR', 'br')).toBe(true);
  });
});
