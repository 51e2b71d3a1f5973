import { Inject, Injectable } from '@nestjs/common';
import type { StatsQuery } from '@switchboard/contracts';
import { microsToUsd } from '@switchboard/db';
import type { z } from 'zod';
import { LogStatsRepository, type LogAggregate as Row, type LogAggregates } from './log-stats.repository';

/**
 * `GET /api/stats?days=N`: request logs of the last N UTC days (today included), in total and per day, model,
 * channel, endpoint family (with the units billed: images, audio seconds, speech characters, search units) and user. Costs are summed as integer micro-USD in SQL and converted once, so `totals.cost` equals the
 * ledger's usage debits to the micro-dollar. Latency percentiles come from percentile_cont.
 */
@Injectable()
export class LogStatsService {
  constructor(@Inject(LogStatsRepository) private readonly logs: LogAggregates) {}

  /** `orgId`: an org admin's call, over its organisation's users' logs only. */
  async stats(q: z.output<typeof StatsQuery>, orgId: number | null = null) {
    const org = orgId ?? undefined;
    const since = await this.logs.since(q.days);
    const [totals, byDay, byModel, byChannel, byEndpoint, topUsers] = await Promise.all([
      this.logs.aggregate('totals', q.days, undefined, q.userId, org),
      this.logs.aggregate('day', q.days, undefined, q.userId, org),
      this.logs.aggregate('model', q.days, undefined, q.userId, org),
      this.logs.aggregate('channel', q.days, undefined, q.userId, org),
      this.logs.aggregate('endpoint', q.days, undefined, q.userId, org),
      this.logs.aggregate('user', q.days, q.top, q.userId, org),
    ]);
    const first = Date.parse(`${since}T00:00:00.000Z`);
    const days: string[] = [];
    for (let i = 0; i < q.days; i++) days.push(new Date(first + i * 86_400_000).toISOString().slice(0, 10));
    const dayRows = new Map(byDay.map((r) => [String(r.key), r]));
    const byCost = (a: Row, b: Row) => (a.costMicros === b.costMicros ? Number(b.requests - a.requests) : a.costMicros < b.costMicros ? 1 : -1);
    return {
      days: q.days,
      from: new Date(first).toISOString(),
      totals: { ...view(totals[0]), units: unitsView(totals[0]) },
      byDay: days.map((date) => ({ date, ...view(dayRows.get(date)) })),
      byModel: byModel.sort(byCost).map((r) => ({ model: r.key, ...view(r) })),
      byChannel: byChannel.sort(byCost).map((r) => ({ channelId: r.key === null ? null : Number(r.key), ...view(r) })),
      // most requested first; null: records of gateways older than the endpoint field
      byEndpoint: byEndpoint
        .sort((a, b) => Number(b.requests - a.requests) || String(a.key).localeCompare(String(b.key)))
        .map((r) => ({ endpoint: r.key === null ? null : String(r.key), ...view(r), units: unitsView(r) })),
      topUsers: topUsers.map((r) => ({ userId: r.key === null ? null : Number(r.key), ...view(r) })),
    };
  }
}

function view(r: Row | undefined) {
  const requests = Number(r?.requests ?? 0n);
  return {
    requests,
    promptTokens: Number(r?.promptTokens ?? 0n),
    completionTokens: Number(r?.completionTokens ?? 0n),
    cacheReadTokens: Number(r?.cacheReadTokens ?? 0n),
    cacheWriteTokens: Number(r?.cacheWriteTokens ?? 0n),
    cost: microsToUsd(r?.costMicros ?? 0n),
    errorRate: requests ? Number(r!.errors) / requests : 0,
    latencyP50Ms: r?.p50 === null || r?.p50 === undefined ? null : Math.round(r.p50),
    latencyP95Ms: r?.p95 === null || r?.p95 === undefined ? null : Math.round(r.p95),
  };
}

/** Unit sums; audio seconds to the millisecond (float sums of fractions drift in the last digits). */
function unitsView(r: Row | undefined) {
  return {
    images: Number(r?.images ?? 0),
    audioSeconds: Math.round(Number(r?.audioSeconds ?? 0) * 1000) / 1000,
    characters: Number(r?.characters ?? 0),
    searchUnits: Number(r?.searchUnits ?? 0),
  };
}
