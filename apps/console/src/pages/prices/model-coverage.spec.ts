import { modelCoverage, modelPattern, type CoverageChannel } from './model-coverage';

const ch = (id: number, models: string[], enabled = true): CoverageChannel => ({ id, name: `c${id}`, enabled, models });

describe('modelPattern', () => {
  it('treats * as any run and every other character literally', () => {
    expect(modelPattern('claude-*').test('claude-sonnet-4-5')).toBe(true);
    expect(modelPattern('claude-*').test('xclaude-a')).toBe(false);
    expect(modelPattern('gpt-4.1*').test('gpt-4.1-mini')).toBe(true);
    expect(modelPattern('gpt-4.1*').test('gpt-4x1')).toBe(false);
    expect(modelPattern('*').test('anything')).toBe(true);
  });
});

describe('modelCoverage', () => {
  const priced = ['claude-sonnet-4-5', 'gpt-4o', 'gpt-4o-mini'];

  it('lists the channels serving each priced model, by name, wildcard or dated release', () => {
    const a = ch(1, ['gpt-4o-mini']);
    const b = ch(2, ['claude-*', 'gpt-4o-2024-08-06']);
    const c = ch(3, ['*'], false);
    const { servedBy } = modelCoverage(priced, [a, b, c]);
    expect(servedBy.get('gpt-4o-mini')).toEqual([a, c]);
    expect(servedBy.get('gpt-4o')).toEqual([b, c]);
    expect(servedBy.get('claude-sonnet-4-5')).toEqual([b, c]);
  });

  it('flags models served without a price and wildcards that match no priced model, once each', () => {
    const a = ch(1, ['my-finetune', 'gpt-4o', 'gpt-5-pro']);
    const b = ch(2, ['my-finetune', 'llama-*']);
    const { unpriced, servedBy } = modelCoverage(priced, [a, b]);
    expect(unpriced).toEqual([
      { model: 'gpt-5-pro', wildcard: false, channels: [a] },
      { model: 'llama-*', wildcard: true, channels: [b] },
      { model: 'my-finetune', wildcard: false, channels: [a, b] },
    ]);
    expect(servedBy.get('gpt-4o')).toEqual([a]);
    expect(servedBy.get('claude-sonnet-4-5')).toEqual([]);
  });

  it('lists a channel once per model even when two of its patterns match it', () => {
    const a = ch(1, ['gpt-*', 'gpt-4o']);
    expect(modelCoverage(priced, [a]).servedBy.get('gpt-4o')).toEqual([a]);
  });
});
