import { LogListQuery, type UsageRecord } from '@switchboard/contracts';
import type { RequestLog } from '@switchboard/db';
import { LogQueryService } from './log-query.service';
import type { RequestLogCursor, RequestLogFilter, RequestLogs } from './request-log.repository';

/** request_logs in memory, ordered as the repository orders them (createdAt, then requestId, newest first). */
class InMemoryRequestLogs implements RequestLogs {
  readonly rows: RequestLog[] = [];
  lastFilter?: RequestLogFilter;

  insertNew(records: readonly UsageRecord[]): Promise<number> {
    let n = 0;
    for (const r of records) {
      if (this.rows.some((x) => x.requestId === r.requestId)) continue;
      const { reservedMicros: _, ...row } = r;
      this.rows.push({ ...row, createdAt: new Date(r.createdAt), costMicros: BigInt(r.costMicros) });
      n++;
    }
    return Promise.resolve(n);
  }

  page(filter: RequestLogFilter, cursor: RequestLogCursor | null, take: number): Promise<{ rows: RequestLog[]; total: number }> {
    this.lastFilter = filter;
    const newest = [...this.rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.requestId.localeCompare(a.requestId));
    const after = cursor
      ? newest.filter((r) => r.createdAt < cursor.createdAt || (r.createdAt.getTime() === cursor.createdAt.getTime() && r.requestId < cursor.requestId))
      : newest;
    return Promise.resolve({ rows: after.slice(0, take), total: this.rows.length });
  }

  find(requestId: string): Promise<RequestLog | null> {
    return Promise.resolve(this.rows.find((r) => r.requestId === requestId) ?? null);
  }

  findBodies(): Promise<null> {
    return Promise.resolve(null);
  }

  deleteBodiesOlderThan(): Promise<number> {
    return Promise.resolve(0);
  }

  deleteOlderThan(): Promise<number> {
    return Promise.resolve(0);
  }
}

const log = (requestId: string, createdAt: string): UsageRecord => ({
  requestId,
  createdAt,
  tokenId: 1,
  userId: 1,
  group: 'default',
  model: 'm',
  upstreamModel: null,
  channelId: 1,
  protocol: 'openai-chat',
  upstreamProtocol: null,
  stream: false,
  status: 200,
  promptTokens: 1,
  completionTokens: 1,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costMicros: 1_500,
  latencyMs: 10,
  ttftMs: null,
  attempts: 1,
  error: null,
  reservedMicros: 0,
  endpoint: 'chat.completions',
  units: null,
  keyAttempts: [],
  plugins: null,
  bodies: null,
});

describe('LogQueryService', () => {
  let logs: InMemoryRequestLogs;
  let service: LogQueryService;

  beforeEach(async () => {
    logs = new InMemoryRequestLogs();
    service = new LogQueryService(logs);
    await logs.insertNew([log('a', '2026-01-01T00:00:00Z'), log('b', '2026-01-01T00:00:00Z'), log('c', '2026-01-02T00:00:00Z')]);
  });

  it('pages newest first with a cursor that continues where the page ended, and none after the last page', async () => {
    const first = await service.list(LogListQuery.parse({ limit: '2' }));
    expect(first.data.map((d) => d.requestId)).toEqual(['c', 'b']);
    expect(first.total).toBe(3);
    expect(first.data[0].cost).toBe(0.0015);
    const second = await service.list(LogListQuery.parse({ limit: '2', cursor: first.nextCursor! }));
    expect(second.data.map((d) => d.requestId)).toEqual(['a']);
    expect(second.nextCursor).toBeNull();
  });

  it('passes the filters on, with from and to as dates', async () => {
    await service.list(LogListQuery.parse({ userId: '4', model: 'm', endpoint: 'images.generations', from: '2026-01-01T00:00:00Z' }));
    expect(logs.lastFilter).toEqual({
      tokenId: undefined,
      userId: 4,
      channelId: undefined,
      status: undefined,
      model: 'm',
      endpoint: 'images.generations',
      from: new Date('2026-01-01T00:00:00Z'),
      to: undefined,
    });
  });

  it('refuses a cursor it did not write (400) and an unknown log (404)', async () => {
    await expect(service.list(LogListQuery.parse({ cursor: 'bm9wZQ' }))).rejects.toMatchObject({ status: 400 });
    await expect(service.get('zzz')).rejects.toMatchObject({ status: 404 });
    await expect(service.get(undefined)).rejects.toMatchObject({ status: 404 });
    expect(await service.get('a')).toMatchObject({ requestId: 'a', createdAt: '2026-01-01T00:00:00.000Z' });
  });
  it('answers the endpoint family and the units of a record; a units column that is not units reads as none', async () => {
    await logs.insertNew([{ ...log('img', '2026-01-03T00:00:00Z'), endpoint: 'images.generations', units: { images: 2 } }]);
    expect(await service.get('img')).toMatchObject({ endpoint: 'images.generations', units: { images: 2 } });
    expect(await service.get('a')).toMatchObject({ endpoint: 'chat.completions', units: null });
    logs.rows[0].units = { images: 'two' };
    expect((await service.get(logs.rows[0].requestId)).units).toBeNull();
  });
});
