import { fmtDateTime, fmtUsd } from './format';

describe('fmtUsd', () => {
  it('keeps small amounts apart (axis ticks of a day with a few cheap requests) and shows cents from $1 up', () => {
    expect(fmtUsd(0.0000015, 'en-US')).toBe('$0.0000015');
    expect(fmtUsd(0.000002, 'en-US')).toBe('$0.000002');
    expect(fmtUsd(0.25, 'en-US')).toBe('$0.25');
    expect(fmtUsd(0, 'en-US')).toBe('$0.00');
    expect(fmtUsd(1234.5, 'en-US')).toBe('$1,234.50');
  });
});

describe('fmtDateTime', () => {
  it('formats a moment by locale (the unit tier runs in UTC) and shows — for none', () => {
    expect(fmtDateTime('2030-01-02T03:04:00Z', 'en-US')).toBe('Jan 2, 2030, 3:04 AM');
    expect(fmtDateTime('2030-01-02T03:04:00Z', 'zh-CN')).toBe('2030年1月2日 03:04');
    expect(fmtDateTime(null, 'en-US')).toBe('—');
  });
});
