import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1];

/**
 * Every Prometheus metric of Switchboard (names start with `switchboard_`). Labels are bounded: protocol, model
 * (only models the routing table knows; otherwise "unknown"), channel id, group, status class. Never keys or users.
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
  readonly channelState = new Gauge({
    name: 'switchboard_channel_state',
    help: 'Channel state as seen by this process: 1 enabled, 0 disabled, -1 banned.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  readonly bansActive = new Gauge({
    name: 'switchboard_bans_active',
    help: 'Channel/model and key bans currently in force.',
    registers: [this.registry],
  });
  readonly bans = new Counter({
    name: 'switchboard_bans_total',
    help: 'Bans set, by channel.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  readonly usageBuffered = new Gauge({
    name: 'switchboard_usage_records_buffered',
    help: 'Usage records accepted by the gateway and not yet durably stored by the queue.',
    registers: [this.registry],
  });
  readonly usageProcessed = new Counter({
    name: 'switchboard_usage_records_processed_total',
    help: 'Usage records committed by a consumer (billing, log-writer); duplicates counted separately.',
    labelNames: ['consumer', 'result'] as const,
    registers: [this.registry],
  });
  readonly balanceLowEvents = new Counter({
    name: 'switchboard_balance_low_events_total',
    help: 'Users whose balance crossed below the low-balance threshold after billing (one per crossing).',
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
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
  }
}

let shared: Metrics | undefined;
/** The process's metrics (one registry per process, whatever number of services it hosts). */
export function processMetrics(): Metrics {
  return (shared ??= new Metrics());
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
