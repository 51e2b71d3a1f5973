import { collectLogs, ExportCancelled, type LogPageAnswer } from './log-export';

/** 1..n newest first, served by cursor = index of the next row, as the API's keyset pages. */
function pages(n: number) {
  const all = Array.from({ length: n }, (_, i) => ({ id: n - i }));
  const calls: { cursor: string | undefined; limit: number }[] = [];
  const fetchPage = (cursor: string | undefined, limit: number): Promise<LogPageAnswer<{ id: number }>> => {
    calls.push({ cursor, limit });
    const start = cursor ? Number(cursor) : 0;
    const data = all.slice(start, start + limit);
    const next = start + limit < n ? String(start + limit) : null;
    return Promise.resolve({ data, total: n, nextCursor: next });
  };
  return { fetchPage, calls };
}

describe('collectLogs', () => {
  it('follows nextCursor to the last page and reports progress', async () => {
    const { fetchPage, calls } = pages(1200);
    const progress: number[] = [];
    const out = await collectLogs({ fetchPage, cap: 10_000, onProgress: (p) => progress.push(p.rows) });
    expect(out).toMatchObject({ total: 1200, capped: false });
    expect(out.rows.map((r) => r.id)).toEqual(Array.from({ length: 1200 }, (_, i) => 1200 - i));
    expect(calls.map((c) => c.cursor)).toEqual([undefined, '500', '1000']);
    expect(progress).toEqual([500, 1000, 1200]);
  });

  it('stops at the cap, asking no more rows than it keeps', async () => {
    const { fetchPage, calls } = pages(1200);
    const out = await collectLogs({ fetchPage, cap: 700 });
    expect(out.rows).toHaveLength(700);
    expect(out.capped).toBe(true);
    expect(calls.map((c) => c.limit)).toEqual([500, 200]);
  });

  it('is not capped when the cap equals the rows there are', async () => {
    const { fetchPage } = pages(500);
    await expect(collectLogs({ fetchPage, cap: 500 })).resolves.toMatchObject({ capped: false, total: 500 });
  });

  it('answers an empty filter with no rows', async () => {
    const { fetchPage } = pages(0);
    await expect(collectLogs({ fetchPage, cap: 100 })).resolves.toEqual({ rows: [], total: 0, capped: false });
  });

  it('stops when cancelled between pages', async () => {
    const { fetchPage, calls } = pages(1200);
    const ctl = new AbortController();
    const run = collectLogs({ fetchPage, cap: 10_000, signal: ctl.signal, onProgress: () => ctl.abort() });
    await expect(run).rejects.toBeInstanceOf(ExportCancelled);
    expect(calls).toHaveLength(1);
  });

  it('passes a page error through', async () => {
    await expect(collectLogs({ fetchPage: () => Promise.reject(new Error('400 cursor: invalid')), cap: 10 })).rejects.toThrow('cursor: invalid');
  });
});
