import { microsToUsd, microsToUsdOrNull, usdToMicros, usdToMicrosOrNull } from './money';

describe('usdToMicros', () => {
  it.each([
    [0, 0n],
    [1, 1_000_000n],
    [0.1, 100_000n],
    [0.2, 200_000n],
    [0.3, 300_000n],
    [1.1, 1_100_000n],
    [0.000001, 1n],
    [123.456789, 123_456_789n],
    [-2.5, -2_500_000n],
    [-0.000001, -1n],
    [19.99, 19_990_000n],
    [1e21, 1_000_000_000_000_000_000_000_000_000n],
    [90_071_992.547409, 90_071_992_547_409n],
  ])('converts %p exactly', (usd, micros) => {
    expect(usdToMicros(usd)).toBe(micros);
  });

  it('rounds beyond 6 decimals half away from zero', () => {
    expect(usdToMicros(0.0000005)).toBe(1n);
    expect(usdToMicros(-0.0000005)).toBe(-1n);
    expect(usdToMicros(0.0000004999)).toBe(0n);
    expect(usdToMicros(1.2345675)).toBe(1_234_568n);
    expect(usdToMicros(-1.2345675)).toBe(-1_234_568n);
    expect(usdToMicros(1.2345674999)).toBe(1_234_567n);
    expect(usdToMicros(1e-7)).toBe(0n);
    expect(usdToMicros(5e-7)).toBe(1n);
  });

  it('never yields negative zero semantics', () => {
    expect(usdToMicros(-0)).toBe(0n);
    expect(usdToMicros(-1e-9)).toBe(0n);
  });

  it('rejects non-finite amounts', () => {
    expect(() => usdToMicros(Number.NaN)).toThrow(RangeError);
    expect(() => usdToMicros(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('microsToUsd', () => {
  it.each([
    [0n, 0],
    [1n, 0.000001],
    [100_000n, 0.1],
    [-2_500_000n, -2.5],
    [123_456_789n, 123.456789],
    [19_990_000n, 19.99],
  ])('converts %p', (micros, usd) => {
    expect(microsToUsd(micros)).toBe(usd);
  });

  it('round-trips every amount a JSON number can carry exactly', () => {
    for (const micros of [1n, 7n, 999_999n, 1_000_001n, 123_456_789_012n, -987_654_321n, 999_999_999_999_999n]) {
      expect(usdToMicros(microsToUsd(micros))).toBe(micros);
    }
  });

  it('stays correctly rounded past 2^53 micros', () => {
    expect(microsToUsd(9_007_199_254_740_993n)).toBe(9_007_199_254.740993);
  });
});

describe('null pass-through', () => {
  it('keeps null (unlimited) as null', () => {
    expect(usdToMicrosOrNull(null)).toBeNull();
    expect(usdToMicrosOrNull(undefined)).toBeNull();
    expect(microsToUsdOrNull(null)).toBeNull();
    expect(usdToMicrosOrNull(0)).toBe(0n);
    expect(microsToUsdOrNull(5n)).toBe(0.000005);
  });
});
