import { StatsQuery } from '@switchboard/contracts';
import type { LogAggregate, LogAggregates, LogGrouping } from './log-stats.repository';
import { LogStatsService } from './log-stats.service';

const agg = (key: LogAggregate['key'], requests: number, costMicros: bigint, over: Partial<LogAggregate> = {}): LogAggregate => ({
  key,
  requests: BigInt(requests),
  promptTokens: 0n,
  completionTokens: 0n,
  cacheReadTokens: 0n,
  cacheWriteTokens: 0n,
  costMicros,
  errors: 0n,
  images: 0,
  audioSeconds: 0,
  characters: 0,
  searchUnits: 0,
  p50: null,
  p95: null,
  ...over,
});

/** Canned aggregates per grouping; records what it was asked. */
class FakeLogAggregates implements LogAggregates {
  readonly asked: [LogGrouping, number, number | undefined][] = [];
  constructor(
    private readonly first: string,
    private readonly groups: Partial<Record<LogGrouping, LogAggregate[]>>,
  ) {}
  since(): Promise<string> {
    return Promise.resolve(this.first);
  }
  aggregate(by: LogGrouping, days: number, limit?: number): Promise<LogAggregate[]> {
    this.asked.push([by, days, limit]);
    return Promise.resolve(this.groups[by] ?? []);
  }
}

describe('LogStatsService', () => {
  it('fills every day of the window, zero where nothing was logged', async () => {
    const logs = new FakeLogAggregates('2026-02-27', { day: [agg('2026-03-01', 2, 5n)] });
    const body = await new LogStatsService(logs).stats(StatsQuery.parse({ days: '3' }));
    expect(body.from).toBe('2026-02-27T00:00:00.000Z');
    expect(body.byDay.map((d) => [d.date, d.requests])).toEqual([
      ['2026-02-27', 0],
      ['2026-02-28', 0],
      ['2026-03-01', 2],
    ]);
  });

  it('orders models and channels by cost, then requests; asks for the top users only', async () => {
    const logs = new FakeLogAggregates('2026-01-01', {
      model: [agg('cheap', 9, 1n), agg('dear', 1, 50n), agg('busy', 5, 50n)],
      channel: [agg(2, 1, 1n), agg(1, 1, 2n)],
    });
    const body = await new LogStatsService(logs).stats(StatsQuery.parse({ days: '1', top: '3' }));
    expect(body.byModel.map((m) => m.model)).toEqual(['busy', 'dear', 'cheap']);
    expect(body.byChannel.map((c) => c.channelId)).toEqual([1, 2]);
    expect(logs.asked).toContainEqual(['user', 1, 3]);
  });

  it('reports error rates, rounded percentiles and cost in dollars, and zeros without logs', async () => {
    const logs = new FakeLogAggregates('2026-01-01', { totals: [agg(null, 4, 1_234_567n, { errors: 1n, p50: 10.4, p95: 99.6 })] });
    const body = await new LogStatsService(logs).stats(StatsQuery.parse({ days: '1' }));
    expect(body.totals).toMatchObject({ requests: 4, cost: 1.234567, errorRate: 0.25, latencyP50Ms: 10, latencyP95Ms: 100 });
    const empty = await new LogStatsService(new FakeLogAggregates('2026-01-01', {})).stats(StatsQuery.parse({}));
    expect(empty.totals).toMatchObject({ requests: 0, cost: 0, errorRate: 0, latencyP50Ms: null });
  });
  it('breaks requests down by endpoint family, most requested first, with the units billed', async () => {
    const logs = new FakeLogAggregates('2026-01-01', {
      endpoint: [
        agg('images.generations', 2, 80_000n, { images: 3 }),
        agg('chat.completions', 9, 5n),
        agg(null, 1, 0n),
        agg('audio.transcriptions', 2, 9_000n, { audioSeconds: 90.50000000000001 }),
      ],
      totals: [agg(null, 14, 89_005n, { images: 3, audioSeconds: 90.5, characters: 1000, searchUnits: 2 })],
    });
    const body = await new LogStatsService(logs).stats(StatsQuery.parse({ days: '1' }));
    expect(body.byEndpoint.map((e) => [e.endpoint, e.requests, e.cost, e.units])).toEqual([
      ['chat.completions', 9, 0.000005, { images: 0, audioSeconds: 0, characters: 0, searchUnits: 0 }],
      ['audio.transcriptions', 2, 0.009, { images: 0, audioSeconds: 90.5, characters: 0, searchUnits: 0 }],
      ['images.generations', 2, 0.08, { images: 3, audioSeconds: 0, characters: 0, searchUnits: 0 }],
      [null, 1, 0, { images: 0, audioSeconds: 0, characters: 0, searchUnits: 0 }],
    ]);
    expect(body.totals.units).toEqual({ images: 3, audioSeconds: 90.5, characters: 1000, searchUnits: 2 });
  });
});
