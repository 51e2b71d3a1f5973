import { filterPrices, pageOf } from './price-filter';

describe('filterPrices', () => {
  const rows = [
    { model: 'claude-sonnet-4-5', builtin: true },
    { model: 'gpt-4o', builtin: false },
    { model: 'gpt-4o-mini', builtin: true },
  ];
  const served = (m: string) => m.startsWith('gpt');

  it('matches every word of the search anywhere in the name, ignoring case', () => {
    expect(filterPrices(rows, 'GPT mini', 'all', served).map((r) => r.model)).toEqual(['gpt-4o-mini']);
    expect(filterPrices(rows, '  ', 'all', served)).toHaveLength(3);
    expect(filterPrices(rows, 'sonnet', 'served', served)).toEqual([]);
  });

  it('keeps admin-set prices or served models by scope', () => {
    expect(filterPrices(rows, '', 'custom', served).map((r) => r.model)).toEqual(['gpt-4o']);
    expect(filterPrices(rows, '', 'served', served).map((r) => r.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
  });
});

describe('pageOf', () => {
  const rows = Array.from({ length: 45 }, (_, i) => i);

  it('slices pages and clamps the page number into range', () => {
    expect(pageOf(rows, 1, 20)).toEqual({ rows: rows.slice(0, 20), pages: 3, page: 1 });
    expect(pageOf(rows, 3, 20).rows).toEqual([40, 41, 42, 43, 44]);
    expect(pageOf(rows, 9, 20).page).toBe(3);
    expect(pageOf([], 1, 20)).toEqual({ rows: [], pages: 1, page: 1 });
  });
});
