import { computeCostMicros, findPrice } from '@switchboard/pricing';
import { exampleCost, fmtPrice, pricedAs, type PriceLike } from './price-math';

const m = (usd: number | null | undefined) => (usd === null || usd === undefined ? undefined : Math.round(usd * 1e6));
const toEntry = (model: string, p: PriceLike) => ({
  model,
  inputMicros: Math.round(p.input * 1e6),
  outputMicros: Math.round(p.output * 1e6),
  cacheReadMicros: Math.round(p.cacheRead * 1e6),
  cacheWriteMicros: Math.round(p.cacheWrite * 1e6),
  perRequestMicros: Math.round(p.perRequest * 1e6),
  perImageMicros: m(p.perImage),
  perImageBySizeMicros: p.perImageBySize ? Object.fromEntries(Object.entries(p.perImageBySize).map(([k, v]) => [k, Math.round(v * 1e6)])) : undefined,
  audioInputPerMinuteMicros: m(p.audioInputPerMinute),
  speechPerMillionCharsMicros: m(p.speechPerMillionChars),
  perSearchUnitMicros: m(p.perSearchUnit),
});

describe('exampleCost', () => {
  const gpt4o: PriceLike = { input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 0, perRequest: 0 };

  it('prices 1k input + 1k output tokens', () => {
    expect(exampleCost(gpt4o, { input: 1000, output: 1000 })).toBe(0.0125);
    expect(exampleCost({ input: 2, output: 8, cacheRead: 0, cacheWrite: 0, perRequest: 0.001 }, { input: 1000, output: 1000 })).toBe(0.011);
  });

  it('bills cached input at the cache prices, never below zero uncached', () => {
    const claude: PriceLike = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, perRequest: 0 };
    // 1000 input of which 600 read from cache and 200 written: 200×3 + 600×0.3 + 200×3.75 + 0 = 1530 micro-USD
    expect(exampleCost(claude, { input: 1000, output: 0, cacheRead: 600, cacheWrite: 200 })).toBe(0.00153);
    expect(exampleCost(claude, { input: 10, output: 0, cacheRead: 600 })).toBe(0.00018);
  });

  it('treats empty, negative and non-finite prices as zero (a half-typed form must not throw)', () => {
    expect(exampleCost({ input: NaN, output: -1, cacheRead: Infinity, cacheWrite: 0, perRequest: 0 }, { input: 1000, output: 1000 })).toBe(0);
  });

  it('agrees with the billing formula of libs/pricing, ratio included', () => {
    const cases: [PriceLike, { input: number; output: number; cacheRead: number; cacheWrite: number }, number][] = [
      [gpt4o, { input: 1000, output: 1000, cacheRead: 0, cacheWrite: 0 }, 1],
      [{ input: 0.15, output: 0.6, cacheRead: 0.075, cacheWrite: 0, perRequest: 0.0004 }, { input: 1234, output: 567, cacheRead: 100, cacheWrite: 0 }, 0.8],
      [{ input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75, perRequest: 0 }, { input: 7, output: 3, cacheRead: 1, cacheWrite: 1 }, 1.25],
      [{ input: 0.000001, output: 0.000003, cacheRead: 0, cacheWrite: 0, perRequest: 0 }, { input: 999_999, output: 1, cacheRead: 0, cacheWrite: 0 }, 1],
    ];
    for (const [price, usage, ratio] of cases) {
      const billed = computeCostMicros(
        { promptTokens: usage.input, completionTokens: usage.output, cacheReadTokens: usage.cacheRead, cacheWriteTokens: usage.cacheWrite },
        toEntry('m', price),
        ratio,
      );
      expect(exampleCost(price, usage, ratio)).toBe(billed / 1e6);
    }
  });
});

describe('exampleCost of units (SPEC §8)', () => {
  const dalle: PriceLike = {
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    perRequest: 0,
    perImage: 0.05,
    perImageBySize: { '1024x1024': 0.04, '1792x1024': 0.08, 'hd:1792x1024': 0.12 },
    audioInputPerMinute: 0.006,
    speechPerMillionChars: 15,
    perSearchUnit: 0.002,
  };

  it('prices images by quality:size, then size, then the flat price; audio by the minute, speech by the character, searches by the unit', () => {
    expect(exampleCost(dalle, { input: 0, output: 0, images: 2, imageSize: '1024x1024' })).toBe(0.08);
    expect(exampleCost(dalle, { input: 0, output: 0, images: 1, imageSize: '1792x1024', imageQuality: 'hd' })).toBe(0.12);
    expect(exampleCost(dalle, { input: 0, output: 0, images: 1, imageSize: '1792x1024', imageQuality: 'standard' })).toBe(0.08);
    expect(exampleCost(dalle, { input: 0, output: 0, images: 1, imageSize: '256x256' })).toBe(0.05);
    expect(exampleCost(dalle, { input: 0, output: 0, audioSeconds: 90 })).toBe(0.009);
    expect(exampleCost(dalle, { input: 0, output: 0, characters: 1000 })).toBe(0.015);
    expect(exampleCost(dalle, { input: 0, output: 0, searchUnits: 1000 })).toBe(2);
    expect(exampleCost({ ...dalle, perImage: null, perImageBySize: null }, { input: 0, output: 0, images: 3 })).toBe(0);
  });

  it('agrees with the billing formula of libs/pricing for units, tokens and ratio together', () => {
    const cases: [PriceLike, Parameters<typeof exampleCost>[1], number][] = [
      [dalle, { input: 100, output: 0, images: 3, imageSize: '1792x1024', imageQuality: 'hd' }, 1.3],
      [dalle, { input: 0, output: 0, audioSeconds: 12.345 }, 1],
      [dalle, { input: 0, output: 0, audioSeconds: 0.5, characters: 777, searchUnits: 3 }, 0.75],
      [{ ...dalle, input: 5, output: 40 }, { input: 50, output: 4160, images: 1, imageSize: '1024x1536', imageQuality: 'high' }, 1],
    ];
    for (const [price, u, ratio] of cases) {
      const billed = computeCostMicros(
        { promptTokens: u.input, completionTokens: u.output, cacheReadTokens: 0, cacheWriteTokens: 0 },
        toEntry('m', price),
        ratio,
        {
          images: u.images,
          imageSize: u.imageSize,
          imageQuality: u.imageQuality,
          audioSeconds: u.audioSeconds,
          characters: u.characters,
          searchUnits: u.searchUnits,
        },
      );
      expect(exampleCost(price, u, ratio)).toBe(billed / 1e6);
    }
  });
});

describe('pricedAs', () => {
  const priced = new Set(['gpt-4o', 'gpt-5', 'claude-sonnet-4-5', 'gemini-2.5-flash']);

  it('finds the exact model or its base over release suffixes, like billing', () => {
    const map = new Map([...priced].map((m) => [m, toEntry(m, { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, perRequest: 0 })]));
    for (const model of [
      'gpt-4o',
      'gpt-4o-2024-08-06',
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-4-5@20250929',
      'gemini-2.5-flash-preview-05-20',
      'gpt-5-pro',
      'gpt-4o-mini',
      'x',
    ])
      expect(pricedAs(priced, model)).toBe(findPrice(map, model)?.model);
    expect(pricedAs(priced, 'gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(pricedAs(priced, 'gpt-5-pro')).toBeUndefined();
  });
});

describe('fmtPrice', () => {
  it('shows at least cents and every stored micro-dollar', () => {
    expect([0.8, 0.075, 15, 0, 0.000001, 1234.5].map((n) => fmtPrice(n, 'en-US'))).toEqual(['$0.80', '$0.075', '$15.00', '$0.00', '$0.000001', '$1,234.50']);
    expect(fmtPrice(0.8, 'zh-CN')).toBe('US$0.80');
  });
});
