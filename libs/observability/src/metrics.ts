import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1];

/**
 * Every Prometheus metric of Switchboard (names start with `switchboard_`). Labels are bounded: protocol, model
 * (a model a channel lists by name or an alias, else "other"; "unknown" before a channel was chosen), channel id,
 * group, status class. Never keys or users.
 * One instance per process: in standalone mode the five services share it.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'switchboard_requests_total',
    help: 'Relay requests finished, by inbound protocol, model, channel, group and HTTP status class.',
    labelNames: ['protocol', 'model', 'channel', 'group', 'status_class'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'switchboard_errors_total',
    help: 'Relay requests that failed, by error class (client, auth, quota, rate_limit, not_found, upstream, timeout, internal).',
    labelNames: ['protocol', 'class'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'switchboard_request_duration_seconds',
    help: 'Time from request received to response end, as the client sees it.',
    labelNames: ['protocol', 'stream', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly upstreamDuration = new Histogram({
    name: 'switchboard_upstream_duration_seconds',
    help: 'Time of each upstream attempt, from dispatch to the end of its body.',
    labelNames: ['channel', 'upstream_protocol', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly ttft = new Histogram({
    name: 'switchboard_time_to_first_token_seconds',
    help: 'Streams: time from request received to the first byte relayed to the client.',
    labelNames: ['protocol', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly overhead = new Histogram({
    name: 'switchboard_gateway_overhead_seconds',
    help: 'Time spent in the gateway itself: request duration minus time waiting for the upstream.',
    labelNames: ['protocol'] as const,
    buckets: OVERHEAD_BUCKETS,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'switchboard_tokens_total',
    help: 'Tokens billed, by model and type (prompt, completion, cache_read, cache_write, reasoning).',
    labelNames: ['model', 'type'] as const,
    registers: [this.registry],
  });
  readonly cost = new Counter({
    name: 'switchboard_cost_usd_total',
    help: 'Cost billed in USD, by model and group.',
    labelNames: ['model', 'group'] as const,
    registers: [this.registry],
  });
  readonly endpointRequests = new Counter({
    name: 'switchboard_endpoint_requests_total',
    help: 'Relay requests finished, by endpoint family (chat.completions, images.generations, audio.speech, rerank…; "unknown" before one was known) and HTTP status class.',
    labelNames: ['endpoint', 'status_class'] as const,
    registers: [this.registry],
  });
  readonly units = new Counter({
    name: 'switchboard_units_total',
    help: 'Units billed besides tokens, by endpoint family and unit (images, audio_seconds, characters, search_units).',
    labelNames: ['endpoint', 'unit'] as const,
    registers: [this.registry],
  });
  readonly pluginRequests = new Counter({
    name: 'switchboard_plugin_requests_total',
    help: "Relay requests an enabled plugin applied to, by plugin and outcome (applied: it acted and the request succeeded; failed: it acted and the request failed; skipped: in scope but not for this request, e.g. stream-fake for a streaming client; or the plugin's own word, cache: hit, miss, bypass).",
    labelNames: ['plugin', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly mcpToolCalls = new Counter({
    name: 'switchboard_mcp_tool_calls_total',
    help: 'MCP tool calls through the gateway (/mcp/{name}), by server and outcome (ok; error: the tool answered isError; failed: the upstream could not be reached or refused the call).',
    labelNames: ['server', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly mcpToolCallSeconds = new Histogram({
    name: 'switchboard_mcp_tool_call_duration_seconds',
    help: 'How long MCP tool calls through the gateway took, by server.',
    labelNames: ['server'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'switchboard_retries_total',
    help: 'Upstream attempts after the first one, by reason (status class or network error).',
    labelNames: ['protocol', 'reason'] as const,
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: 'switchboard_fallbacks_total',
    help: 'Alias fallback models tried after every channel of the target failed.',
    labelNames: ['alias'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'switchboard_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit, by scope kind (token, user, group) and limit (rpm, tpm, concurrency).',
    labelNames: ['scope', 'limit'] as const,
    registers: [this.registry],
  });
  readonly quotaRejected = new Counter({
    name: 'switchboard_quota_rejections_total',
    help: 'Requests refused because a token quota or user balance was exhausted.',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  readonly budgetEvents = new Counter({
    name: 'switchboard_budget_events_total',
    help: 'Budget events: kind "reached" when a period crosses its soft limit (once per period), "refused" per request a spent budget refuses.',
    labelNames: ['scope', 'kind'] as const,
    registers: [this.registry],
  });
  readonly channelState = new Gauge({
    name: 'switchboard_channel_state',
    help: 'Channel state as seen by this process: 1 enabled, 0 disabled, -1 banned.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
    aggregator: 'min',
  });
  /** One series per channel that reports a balance (its currency rarely changes; the router removes stale ones). */
  readonly channelBalance = new Gauge({
    name: 'switchboard_channel_balance',
    help: "The account balance a channel's provider reports (DeepSeek, OpenRouter, Moonshot, new-api style relays), in its currency.",
    labelNames: ['channel', 'currency'] as const,
    registers: [this.registry],
  });
  readonly bansActive = new Gauge({
    name: 'switchboard_bans_active',
    help: 'Channel/model and key bans currently in force.',
    registers: [this.registry],
    // Every relay worker of a gateway sees the same bans: summed they would count each N times.
    aggregator: 'max',
  });
  readonly bans = new Counter({
    name: 'switchboard_bans_total',
    help: 'Bans set, by channel.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  /** The queues whose buffers switchboard_usage_records_buffered adds up, read at each scrape (nothing per request). */
  private readonly usageQueues = new Set<{ pending(): number }>();
  readonly usageBuffered = new Gauge({
    name: 'switchboard_usage_records_buffered',
    help: 'Usage records accepted by the gateway and not yet durably stored by the queue.',
    registers: [this.registry],
    collect: () => {
      if (!this.usageQueues.size) return;
      let n = 0;
      for (const q of this.usageQueues) n += q.pending();
      this.usageBuffered.set(n);
    },
  });
  readonly usageProcessed = new Counter({
    name: 'switchboard_usage_records_processed_total',
    help: 'Usage records committed by a consumer (billing, log-writer); duplicates counted separately.',
    labelNames: ['consumer', 'result'] as const,
    registers: [this.registry],
  });
  readonly usageDeadLetters = new Counter({
    name: 'switchboard_usage_dead_letters_total',
    help: 'Usage records a consumer could not commit (or the gateway rejected at publish), kept in the dead-letter table (GET /api/usage/dead-letters).',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });
  readonly usageSpoolBytes = new Gauge({
    name: 'switchboard_usage_spool_bytes',
    help: "Size of the gateway's usage spool on disk (cluster mode: records waiting while NATS is unreachable).",
    registers: [this.registry],
  });
  readonly usageDropped = new Counter({
    name: 'switchboard_usage_records_dropped_total',
    help: 'Usage records the gateway dropped because its buffer and spool were full (NATS unreachable too long).',
    registers: [this.registry],
  });
  readonly balanceLowEvents = new Counter({
    name: 'switchboard_balance_low_events_total',
    help: 'Users whose balance crossed below the low-balance threshold after billing (one per crossing).',
    registers: [this.registry],
  });
  readonly alertsSent = new Counter({
    name: 'switchboard_alerts_sent_total',
    help: 'Alerts per channel type, event and outcome: sent, failed (after retries), deduplicated, rate_limited.',
    labelNames: ['type', 'event', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly usersLowBalance = new Gauge({
    name: 'switchboard_users_low_balance',
    help: 'Users with a limited balance below the low-balance threshold (set by the ledger reconciliation).',
    registers: [this.registry],
  });
  readonly ledgerDrift = new Gauge({
    name: 'switchboard_ledger_drift_micros',
    help: 'Sum of |recorded - ledger| in micro-USD at the last reconciliation: user balances vs their ledger sum, token used quota vs its usage debits. 0 when consistent.',
    labelNames: ['account'] as const,
    registers: [this.registry],
  });
  readonly ledgerDriftedAccounts = new Gauge({
    name: 'switchboard_ledger_drifted_accounts',
    help: 'Users or tokens whose recorded amount disagrees with the ledger at the last reconciliation.',
    labelNames: ['account'] as const,
    registers: [this.registry],
  });
  readonly ledgerReconciliations = new Counter({
    name: 'switchboard_ledger_reconciliations_total',
    help: 'Ledger reconciliation runs, by result (consistent, drift, error).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly quotaCounterDrift = new Gauge({
    name: 'switchboard_quota_counter_drift_micros',
    help: "Sum of |counter - ledger view| in micro-USD over the gateways' quota counters (Redis or in memory) at the last quota reconciliation, before correcting them. 0 when consistent.",
    labelNames: ['account'] as const,
    registers: [this.registry],
  });
  readonly quotaCounterCorrections = new Counter({
    name: 'switchboard_quota_counter_corrections_total',
    help: 'Quota counters the reconciliation found drifted and set back to what the ledger says.',
    labelNames: ['account'] as const,
    registers: [this.registry],
  });
  readonly quotaPendingReaped = new Counter({
    name: 'switchboard_quota_pending_reaped_total',
    help: 'Pending charges given back by the quota reconciliation: reservations whose lease can no longer settle (state=reserved), settled costs the ledger never received (state=settled).',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly quotaReconciliations = new Counter({
    name: 'switchboard_quota_reconciliations_total',
    help: 'Quota counter reconciliation runs, by result (consistent, corrected, skipped: another billing replica was running one, error).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly redemptions = new Counter({
    name: 'switchboard_redemptions_total',
    help: 'Redemption attempts, by result (credited, rejected).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly logRetentionDeleted = new Counter({
    name: 'switchboard_log_retention_deleted_total',
    help: 'Request logs deleted because they were older than LOG_RETENTION_DAYS.',
    registers: [this.registry],
  });
  readonly dependencyUp = new Gauge({
    name: 'switchboard_dependency_up',
    help: '1 when this process reaches the dependency (nats, redis, database), else 0.',
    labelNames: ['dependency'] as const,
    registers: [this.registry],
    // Across a gateway's relay workers: 0 as soon as one of them cannot reach it.
    aggregator: 'min',
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
  }

  /**
   * In a relay worker (GATEWAY_WORKERS > 1): `switchboard_worker_requests{worker}`, the relay requests this worker
   * finished, read from switchboard_requests_total at each scrape (nothing per request). The other series of a scrape
   * are the sum over the workers; this one shows how the port shares the load among them.
   */
  trackWorker(worker: number): void {
    const requests = this.requests;
    const gauge: Gauge<'worker'> = new Gauge({
      name: 'switchboard_worker_requests',
      help: 'Relay requests finished by each relay worker of this gateway since it started (GATEWAY_WORKERS > 1).',
      labelNames: ['worker'] as const,
      registers: [this.registry],
      async collect() {
        const { values } = await requests.get();
        gauge.set(
          { worker: String(worker) },
          values.reduce((n, v) => n + v.value, 0),
        );
      },
    });
  }

  /** switchboard_usage_records_buffered counts this queue's pending records from now on (the same queue counts once). */
  trackUsageBuffered(queue: { pending(): number }): void {
    this.usageQueues.add(queue);
  }

  untrackUsageBuffered(queue: { pending(): number }): void {
    this.usageQueues.delete(queue);
  }
}

let shared: Metrics | undefined;
let metricsSource: (() => Promise<string>) | undefined;

/** What /metrics answers: this process's registry unless a relay worker set its gateway's sum over all its processes. */
export function setMetricsSource(source: (() => Promise<string>) | undefined): void {
  metricsSource = source;
}

export function metricsText(): Promise<string> {
  return metricsSource ? metricsSource() : processMetrics().registry.metrics();
}

/** The process's metrics (one registry per process, whatever number of services it hosts). */
export function processMetrics(): Metrics {
  return (shared ??= new Metrics());
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

type LabelSet = Record<string, string>;
/** The parts of prom-client's Histogram/Counter (v15) the hot-path series below update in place. */
interface PromInternals {
  hashMap: Record<string, { sum: number; count: number; bucketValues: Record<string, number>; value: number; labels: LabelSet }>;
  sortedLabelNames: string[];
  upperBounds?: readonly number[];
  enableExemplars?: boolean;
}

/**
 * One label set of a histogram or counter, resolved once and then updated in place: a prom-client call with a labels
 * object builds, validates and hashes the labels and walks the buckets through their string keys every time (~1–2 µs,
 * several per relayed request). The first update of a series, the first after a reset()/remove(), a value prom-client
 * would refuse, and any prom-client whose internals are not the expected ones go through prom-client itself: what is
 * exposed, and what throws, stays prom-client's.
 */
class Series {
  private map: PromInternals['hashMap'] | null = null;
  private entry: PromInternals['hashMap'][string] | null = null;
  private readonly hash: string;

  constructor(
    private readonly metric: Histogram<string> | Counter<string>,
    private readonly labels: LabelSet,
    private readonly bounds: readonly number[] | null,
    private readonly boundKeys: readonly string[] | null,
  ) {
    const m = metric as unknown as PromInternals;
    // prom-client's own key of a label set (util.js fastHashObject).
    let hash = '';
    for (const k of m.sortedLabelNames ?? []) if (labels[k] !== undefined) hash += `${k}:${labels[k]},`;
    this.hash = hash;
  }

  /** Whether the next update takes the in-place path (false until the first update, or if prom-client changed). */
  get resolved(): boolean {
    return this.entry !== null;
  }

  /** Histogram observation (the value in seconds). */
  observe(value: number): void {
    const m = this.metric as unknown as PromInternals;
    const e = this.entry;
    if (e !== null && m.hashMap === this.map && this.map[this.hash] === e && Number.isFinite(value)) {
      const bounds = this.bounds!;
      for (let i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          e.bucketValues[this.boundKeys![i]] += 1;
          break;
        }
      }
      e.sum += value;
      e.count += 1;
      return;
    }
    (this.metric as Histogram<string>).observe(this.labels, value);
    this.resolve();
  }

  /** Counter increment. */
  inc(value: number): void {
    const m = this.metric as unknown as PromInternals;
    const e = this.entry;
    if (e !== null && m.hashMap === this.map && this.map[this.hash] === e && Number.isFinite(value) && value >= 0) {
      e.value += value;
      return;
    }
    (this.metric as Counter<string>).inc(this.labels, value);
    this.resolve();
  }

  private resolve(): void {
    const m = this.metric as unknown as PromInternals;
    const e = m.hashMap?.[this.hash];
    const histogram = this.bounds !== null;
    const usable =
      e !== undefined &&
      !m.enableExemplars &&
      (histogram
        ? typeof e.sum === 'number' && typeof e.count === 'number' && this.boundKeys!.every((k) => typeof e.bucketValues?.[k] === 'number')
        : typeof e.value === 'number') &&
      Object.keys(this.labels).every((k) => e.labels?.[k] === this.labels[k]);
    this.map = usable ? m.hashMap : null;
    this.entry = usable ? e : null;
  }
}

/**
 * The hot-path handle of a labelled metric: `series(key, labels)` returns the label set's Series, made on first use.
 * `key` is any string that tells label sets apart (e.g. their values joined); `labels` is only called on a miss. The
 * number of label sets is bounded by the metric's own label bounds.
 */
export class SeriesCache {
  private readonly cache = new Map<string, Series>();
  private readonly bounds: readonly number[] | null;
  private readonly boundKeys: readonly string[] | null;

  constructor(private readonly metric: Histogram<string> | Counter<string>) {
    const upper = metric instanceof Histogram ? (metric as unknown as PromInternals).upperBounds : undefined;
    this.bounds = upper ? [...upper] : null;
    // The keys prom-client's bucketValues object uses (its buckets as property names).
    this.boundKeys = upper ? upper.map((b) => String(b)) : null;
  }

  series(key: string, labels: () => LabelSet): Series {
    let s = this.cache.get(key);
    if (!s) {
      s = new Series(this.metric, labels(), this.bounds, this.boundKeys);
      this.cache.set(key, s);
    }
    return s;
  }
}

/** The units of SPEC §8 `units` and their metric label: a Prometheus label is snake_case. */
const UNIT_LABELS = [
  ['images', 'images'],
  ['audioSeconds', 'audio_seconds'],
  ['characters', 'characters'],
  ['searchUnits', 'search_units'],
] as const;

/**
 * The per-endpoint-family metrics of one finished request: switchboard_endpoint_requests_total and
 * switchboard_units_total, through resolved series like the relay's other metrics. The endpoint label is the gateway's
 * own family name (from its route table, never the client's path), so it is bounded by the families that exist.
 */
export class EndpointSeries {
  private readonly requests: SeriesCache;
  private readonly units: SeriesCache;

  constructor(metrics: Metrics) {
    this.requests = new SeriesCache(metrics.endpointRequests);
    this.units = new SeriesCache(metrics.units);
  }

  /** A request of `endpoint` (null: not known yet) ended with `statusClass`; `units` are the units it was billed. */
  observe(endpoint: string | null, statusClass: string, units: Partial<Record<(typeof UNIT_LABELS)[number][0], number>> | null): void {
    const ep = endpoint ?? 'unknown';
    this.requests.series(`${ep}\0${statusClass}`, () => ({ endpoint: ep, status_class: statusClass })).inc(1);
    if (!units) return;
    for (const [field, unit] of UNIT_LABELS) {
      const n = units[field];
      if (n && n > 0 && Number.isFinite(n)) this.units.series(`${ep}\0${unit}`, () => ({ endpoint: ep, unit })).inc(n);
    }
  }
}
