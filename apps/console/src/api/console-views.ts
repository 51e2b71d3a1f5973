/**
 * The fields the console reads from answers the route table types loosely (`looseObject`): `GET /api/stats`
 * (log-writer's LogStatsService) and the channel view (router's channelView).
 */
export interface StatsRow {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  errorRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface StatsView {
  days: number;
  totals: StatsRow;
  byDay: (StatsRow & { date: string })[];
  byModel: (StatsRow & { model: string })[];
  byChannel: (StatsRow & { channelId: number | null })[];
  /** per endpoint family (null: records older than the endpoint field), most requested first, with the units billed */
  byEndpoint?: (StatsRow & { endpoint: string | null; units: { images: number; audioSeconds: number; characters: number; searchUnits: number } })[];
  topUsers: (StatsRow & { userId: number | null })[];
}

export interface ChannelRow {
  id: number;
  name: string;
  type: string;
  baseUrl: string;
  models: string[];
  status: string;
  enabled: boolean;
  priority: number;
  weight: number;
  errorRate: number;
  responseTimeMs: number | null;
  bans: { model?: string; key?: number; reason: string; until: string }[];
  /** the provider-reported balance as the router last read it (null: never read; absent: an older router) */
  balance?: StoredBalance | null;
}

/** A channel's stored balance; `balance` null when every read so far failed (`error` says why). */
export interface StoredBalance {
  balance: number | null;
  currency: string | null;
  updatedAt: string | null;
  error: string | null;
}

export interface LogRow {
  requestId: string;
  createdAt: string;
  model: string;
  status: number;
  channelId?: number | null;
  userId?: number | null;
  latencyMs?: number | null;
  cost?: number;
}
