import { csvFileName, generatedCodesCsv, readAllPages, redemptionListCsv, toCsv } from './redemption-csv';

describe('redemption CSV files', () => {
  it('generated codes: a header and one CRLF line per code, exactly those codes', () => {
    expect(
      generatedCodesCsv([
        { id: 1, code: 'rc-AAA', value: 2.5, expiresAt: null },
        { id: 2, code: 'rc-BBB', value: 2.5, expiresAt: '2030-01-01T00:00:00.000Z' },
      ]),
    ).toBe('id,code,value_usd,expires_at\r\n1,rc-AAA,2.5,\r\n2,rc-BBB,2.5,2030-01-01T00:00:00.000Z\r\n');
  });

  it('quotes commas, quotes and line breaks, and defuses spreadsheet formulas in text', () => {
    expect(toCsv(['a'], [['x,y'], ['say "hi"'], ['two\nlines'], ['=1+1'], [-3], [null]])).toBe(
      'a\r\n"x,y"\r\n"say ""hi"""\r\n"two\nlines"\r\n\'=1+1\r\n-3\r\n\r\n',
    );
  });

  it('the list: status, when and by whom it was used (name when the user is known)', () => {
    const csv = redemptionListCsv(
      [
        { id: 5, value: 1, status: 'used', expiresAt: null, usedAt: '2026-01-02T00:00:00.000Z', usedByUserId: 3, createdAt: '2026-01-01T00:00:00.000Z' },
        { id: 4, value: 1, status: 'unused', expiresAt: null, usedAt: null, usedByUserId: null, createdAt: '2026-01-01T00:00:00.000Z' },
        { id: 3, value: 1, status: 'used', expiresAt: null, usedAt: '2026-01-02T00:00:00.000Z', usedByUserId: 99, createdAt: '2026-01-01T00:00:00.000Z' },
      ],
      (id) => (id === 3 ? 'alice, ltd' : undefined),
    );
    expect(csv.split('\r\n')).toEqual([
      'id,value_usd,status,expires_at,used_at,used_by_user_id,used_by_user,created_at',
      '5,1,used,,2026-01-02T00:00:00.000Z,3,"alice, ltd",2026-01-01T00:00:00.000Z',
      '4,1,unused,,,,,2026-01-01T00:00:00.000Z',
      '3,1,used,,2026-01-02T00:00:00.000Z,99,,2026-01-01T00:00:00.000Z',
      '',
    ]);
  });

  it('file names sort by time and carry no colon', () => {
    expect(csvFileName('codes', new Date('2026-12-06T11:42:05.123Z'))).toBe('redemption-codes-2026-12-06T11-42-05Z.csv');
  });
});

describe('readAllPages', () => {
  it('reads page after page until the total is in, reporting progress', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => i);
    const calls: [number, number][] = [];
    const progress: string[] = [];
    const all = await readAllPages(
      (offset, limit) => {
        calls.push([offset, limit]);
        return Promise.resolve({ data: rows.slice(offset, offset + limit), total: rows.length });
      },
      (n, total) => progress.push(`${n}/${total}`),
      3,
    );
    expect(all).toEqual(rows);
    expect(calls).toEqual([
      [0, 3],
      [3, 3],
      [6, 3],
    ]);
    expect(progress).toEqual(['3/7', '6/7', '7/7']);
  });

  it('stops at an empty page when the list shrank while it was read', async () => {
    let n = 0;
    const all = await readAllPages(() => Promise.resolve(n++ === 0 ? { data: [1, 2], total: 10 } : { data: [], total: 10 }), undefined, 2);
    expect(all).toEqual([1, 2]);
  });
});
