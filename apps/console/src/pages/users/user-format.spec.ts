import { fmtBalance, fmtDate, fmtSignedUsd } from './user-format';

describe('user amounts', () => {
  it('shows a balance to the micro-dollar, cents at least, grouped by locale', () => {
    expect(fmtBalance(12.5, 'en-US')).toBe('$12.50');
    expect(fmtBalance(12.499988, 'en-US')).toBe('$12.499988');
    expect(fmtBalance(1234567.1, 'en-US')).toBe('$1,234,567.10');
    expect(fmtBalance(0, 'en-US')).toBe('$0.00');
    expect(fmtBalance(12.5, 'zh-CN')).toBe('US$12.50');
  });

  it('signs ledger moves', () => {
    expect(fmtSignedUsd(12.5, 'en-US')).toBe('+$12.50');
    expect(fmtSignedUsd(-0.000012, 'en-US')).toBe('-$0.000012');
    expect(fmtSignedUsd(0, 'en-US')).toBe('$0.00');
  });

  it('dates by locale', () => {
    expect(fmtDate('2026-03-04T10:00:00Z', 'en-US')).toBe('Mar 4, 2026');
    expect(fmtDate('2026-03-04T10:00:00Z', 'zh-CN')).toBe('2026年3月4日');
  });
});
