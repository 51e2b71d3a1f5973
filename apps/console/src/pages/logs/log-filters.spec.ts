import { activeFilterCount, isoToLocalInput, localInputToIso, readLogFilter, withFilter, writeLogFilter } from './log-filters';

describe('log filters in the query string', () => {
  it('reads every SPEC filter from a bookmarked URL', () => {
    const f = readLogFilter(
      new URLSearchParams(
        'model=gpt-4o&endpoint=images.generations&status=500&tokenId=3&userId=4&channelId=5&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00.000Z',
      ),
    );
    expect(f).toEqual({
      model: 'gpt-4o',
      endpoint: 'images.generations',
      status: 500,
      tokenId: 3,
      userId: 4,
      channelId: 5,
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
    });
  });

  it('leaves out values the API would refuse, and unknown keys', () => {
    expect(readLogFilter(new URLSearchParams('status=abc&tokenId=-1&userId=1.5&from=yesterday&model=%20%20&cursor=x'))).toEqual({});
  });

  it('writes a filter in a fixed order without empty values, and reads it back', () => {
    const f = { status: 429, model: 'claude x', channelId: 2, endpoint: 'audio.speech' };
    const qs = writeLogFilter(f).toString();
    expect(qs).toBe('model=claude+x&endpoint=audio.speech&channelId=2&status=429');
    expect(readLogFilter(new URLSearchParams(qs))).toEqual(f);
  });

  it('sets and clears one field', () => {
    const f = withFilter({ model: 'a' }, 'status', 500);
    expect(f).toEqual({ model: 'a', status: 500 });
    expect(withFilter(f, 'model', '')).toEqual({ status: 500 });
    expect(withFilter(f, 'status', undefined)).toEqual({ model: 'a' });
    expect(activeFilterCount(f)).toBe(2);
  });
});

describe('datetime-local conversion', () => {
  it('round-trips a minute in the local time zone', () => {
    const iso = localInputToIso('2026-12-06T09:30');
    expect(iso).toBeDefined();
    expect(isoToLocalInput(iso)).toBe('2026-12-06T09:30');
    expect(new Date(iso!).getMinutes()).toBe(30);
  });

  it('takes the last millisecond of the minute for an upper bound, and shows it as the same minute', () => {
    const to = localInputToIso('2026-12-06T12:00', true)!;
    const d = new Date(to);
    expect([d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()]).toEqual([12, 0, 59, 999]);
    expect(isoToLocalInput(to)).toBe('2026-12-06T12:00');
  });

  it('answers empty for nothing and undefined for garbage', () => {
    expect(isoToLocalInput(undefined)).toBe('');
    expect(isoToLocalInput('nope')).toBe('');
    expect(localInputToIso('')).toBeUndefined();
    expect(localInputToIso('2026-12-06')).toBeUndefined();
  });
});
