import { computeCostMicros, exactCostMicros, findPrice, perImageMicros } from './cost';

const price = { model: 'm', inputMicros: 2_500_000, outputMicros: 10_000_000, cacheReadMicros: 1_250_000, cacheWriteMicros: 3_125_000, perRequestMicros: 0 };

describe('cost formula (SPEC §6)', () => {
  it('prices each token class exactly', () => {
    // 1M uncached input at $2.50/M = $2.50
    expect(computeCostMicros({ promptTokens: 1_000_000, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, price, 1)).toBe(2_500_000);
    // output 1000 × $10/M = $0.01
    expect(computeCostMicros({ promptTokens: 0, completionTokens: 1000, cacheReadTokens: 0, cacheWriteTokens: 0 }, price, 1)).toBe(10_000);
    // 1000 prompt of which 400 cache read and 100 cache write: 500×2.5 + 400×1.25 + 100×3.125 = 1250+500+312.5 = 2062.5 µ$ → 2063
    expect(computeCostMicros({ promptTokens: 1000, completionTokens: 0, cacheReadTokens: 400, cacheWriteTokens: 100 }, price, 1)).toBe(2063);
  });

  it('applies the group ratio before the per-request price', () => {
    const p = { ...price, perRequestMicros: 5_000 };
    // (1000×2.5 + 100×10) = 3500 µ$ × 1.5 = 5250 + 5000
    expect(computeCostMicros({ promptTokens: 1000, completionTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 }, p, 1.5)).toBe(10_250);
    expect(computeCostMicros({ promptTokens: 0, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, p, 0)).toBe(5_000);
  });

  it.each([
    ['gpt-4o', 'gpt-4o'],
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4-0613', 'gpt-4'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5-latest', 'claude-sonnet-4-5'],
    ['gemini-2.0-flash-001', 'gemini-2.0-flash'],
    ['gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash'],
    ['mistral-large-2411', 'mistral-large'],
    ['gpt-5-pro', undefined],
    ['gpt-5-chat', undefined],
    ['gpt-4o-audio-preview', undefined],
    ['gpt-4o-mini-tts', undefined],
    ['claude-sonnet-4-5-thinking', undefined],
    ['gemini-2.0-flash-lite', undefined],
    ['gpt-4', 'gpt-4'],
    ['gpt-4o-2024', 'gpt-4o'],
    ['gpt-4o-123', undefined],
    ['gpt-4o-x-2024-08-06', undefined],
  ])('prices %s as %s', (model, expected) => {
    const map = new Map(
      ['gpt-4', 'gpt-4o', 'gpt-4o-mini', 'gpt-5', 'claude-sonnet-4-5', 'gemini-2.0-flash', 'gemini-2.5-flash', 'mistral-large'].map((m) => [
        m,
        { ...price, model: m },
      ]),
    );
    expect(findPrice(map, model)?.model).toBe(expected);
  });
});

describe('cost is total (never throws, always a safe non-negative integer)', () => {
  const hostile = [0, 1, 2.5, -5, 1e30, Number.MAX_VALUE, Infinity, -Infinity, NaN, Number.MAX_SAFE_INTEGER, 2 ** 31];
  it.each(hostile)('usage %p in every field, with sane and hostile prices and ratios', (v) => {
    const usage = { promptTokens: v, completionTokens: v, cacheReadTokens: v, cacheWriteTokens: v };
    for (const p of [price, { ...price, inputMicros: v, outputMicros: v, cacheReadMicros: v, cacheWriteMicros: v, perRequestMicros: v }]) {
      for (const ratio of [1, 0, 1.5, -1, v]) {
        const c = computeCostMicros(usage, p, ratio);
        expect(Number.isSafeInteger(c) && c >= 0).toBe(true);
      }
    }
  });

  it('rounds fractional counts and prices instead of throwing, and clamps a huge cost to the largest safe integer', () => {
    // 2.5 tokens round to 3: 3 × $10/M = 30 µ$
    expect(computeCostMicros({ promptTokens: 0, completionTokens: 2.5, cacheReadTokens: 0, cacheWriteTokens: 0 }, price, 1)).toBe(30);
    expect(
      computeCostMicros({ promptTokens: 1_000_000, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, { ...price, inputMicros: 1.4 }, 1),
    ).toBe(1);
    expect(computeCostMicros({ promptTokens: -5, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, price, 1)).toBe(0);
    expect(computeCostMicros({ promptTokens: 1e30, completionTokens: 1e30, cacheReadTokens: 0, cacheWriteTokens: 0 }, price, 1e9)).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });
});

describe('the double-precision path equals the BigInt one', () => {
  // a deterministic generator: failures replay
  let seed = 0x2545f491;
  const rand = () => (seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  const magnitude = () => {
    const r = rand();
    if (r < 0.05) return [0, -3, NaN, Infinity, 0.5][Math.floor(rand() * 5)];
    // log-uniform up to 1e12, fractions now and then
    const x = 10 ** (rand() * 12);
    return rand() < 0.2 ? x : Math.round(x);
  };

  it('for 200 000 random usages, prices and ratios (small, large, fractional, hostile)', () => {
    let viaNumbers = 0;
    for (let i = 0; i < 200_000; i++) {
      const prompt = magnitude();
      const usage = {
        promptTokens: prompt,
        completionTokens: magnitude(),
        cacheReadTokens: rand() < 0.5 ? 0 : magnitude(),
        cacheWriteTokens: rand() < 0.7 ? 0 : magnitude(),
      };
      const p = {
        model: 'm',
        inputMicros: magnitude(),
        outputMicros: magnitude(),
        cacheReadMicros: magnitude(),
        cacheWriteMicros: magnitude(),
        perRequestMicros: rand() < 0.8 ? 0 : magnitude(),
      };
      const ratio = [1, 0, 1.5, 0.333333, 2.75, magnitude() / 1e6][Math.floor(rand() * 6)];
      const exact = exactCostMicros(usage, p, ratio);
      const got = computeCostMicros(usage, p, ratio);
      if (got !== exact) throw new Error(`differs for ${JSON.stringify({ usage, p, ratio })}: ${got} vs ${exact}`);
      if (exact < 9e6) viaNumbers++;
    }
    expect(viaNumbers).toBeGreaterThan(10_000);
  });

  it('at the edge of 2^53 and of a half-micro rounding', () => {
    const p = { model: 'm', inputMicros: 1, outputMicros: 0, cacheReadMicros: 0, cacheWriteMicros: 0, perRequestMicros: 0 };
    const around = [Number.MAX_SAFE_INTEGER, 2 ** 53 - 500_000_000_000, 2 ** 53 - 500_000_000_001, 9_007_199_254_740, 1_499_999, 1_500_000, 500_000, 499_999];
    for (const tokens of around) {
      for (const ratio of [1, 1e-6, 1000, 1 / 3]) {
        const usage = { promptTokens: tokens, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
        expect({ tokens, ratio, cost: computeCostMicros(usage, p, ratio) }).toEqual({ tokens, ratio, cost: exactCostMicros(usage, p, ratio) });
      }
    }
    // 0.5 µ$ rounds up, just under does not
    expect(computeCostMicros({ promptTokens: 1, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, { ...p, inputMicros: 500_000 }, 1)).toBe(1);
    expect(computeCostMicros({ promptTokens: 1, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, { ...p, inputMicros: 499_999 }, 1)).toBe(0);
  });
});

describe('units (SPEC §8: images, audio minutes, speech characters, search units)', () => {
  const none = { promptTokens: 0, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const p = {
    ...price,
    perImageMicros: 40_000,
    perImageBySizeMicros: { '1024x1024': 40_000, '1792x1024': 80_000, 'hd:1024x1024': 80_000, 'hd:1792x1024': 120_000 },
    audioInputPerMinuteMicros: 6_000,
    speechPerMillionCharsMicros: 15_000_000,
    perSearchUnitMicros: 2_000,
  };

  it('prices images by quality and size, then size, then the flat price', () => {
    expect(computeCostMicros(none, p, 1, { images: 2, imageSize: '1024x1024' })).toBe(80_000);
    expect(computeCostMicros(none, p, 1, { images: 1, imageSize: '1792x1024', imageQuality: 'hd' })).toBe(120_000);
    expect(computeCostMicros(none, p, 1, { images: 1, imageSize: '1792x1024', imageQuality: 'standard' })).toBe(80_000);
    expect(computeCostMicros(none, p, 1, { images: 3, imageSize: '256x256' })).toBe(120_000);
    expect(perImageMicros(p, undefined, 'hd')).toBe(40_000);
  });

  it('prices audio by the minute to the millisecond, speech by the million characters, searches by the unit', () => {
    expect(computeCostMicros(none, p, 1, { audioSeconds: 90 })).toBe(9_000);
    expect(computeCostMicros(none, p, 1, { audioSeconds: 0.5 })).toBe(50);
    expect(computeCostMicros(none, p, 1, { characters: 1000 })).toBe(15_000);
    expect(computeCostMicros(none, p, 1, { searchUnits: 3 })).toBe(6_000);
  });

  it('adds units to tokens, applies the group ratio to both, and prices a missing unit price as free', () => {
    const u = { promptTokens: 1000, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(computeCostMicros(u, p, 2, { images: 1, imageSize: '1024x1024' })).toBe(2 * (2_500 + 40_000));
    expect(computeCostMicros(none, price, 1, { images: 5, audioSeconds: 60, characters: 1e6, searchUnits: 9 })).toBe(0);
  });

  it.each([NaN, -1, Infinity, 1e30])('stays a safe non-negative integer for unit count %p', (v) => {
    const c = computeCostMicros(none, p, 1, { images: v, audioSeconds: v, characters: v, searchUnits: v, imageSize: '1024x1024' });
    expect(Number.isSafeInteger(c) && c >= 0).toBe(true);
  });
});
