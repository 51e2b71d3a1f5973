import { MAX_KEY_ATTEMPTS, type UsageRecord } from '@switchboard/contracts';
import type { BillableUnits, Units, Usage, WireProtocol } from '@switchboard/protocols';

/** The usage record of one request, filled in as the relay goes. */
export class UsageDraft {
  readonly createdAt = new Date();
  tokenId: number | null = null;
  userId: number | null = null;
  group: string | null = null;
  upstreamModel: string | null = null;
  channelId: number | null = null;
  upstreamProtocol: WireProtocol | null = null;
  status = 0;
  usage: Usage = { promptTokens: 0, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  costMicros = 0;
  reservedMicros = 0;
  ttftMs: number | null = null;
  attempts = 0;
  error: string | null = null;
  /** the upstream failed after bytes reached the client (counts against the channel's health) */
  upstreamBroken = false;
  /** time spent waiting on upstreams (for the overhead metric) */
  upstreamMs = 0;
  /** the endpoint family called (`chat.completions`, `images.generations`…) */
  endpoint: string | null = null;
  /** billed units besides tokens, with what prices them (image size and quality); null when none */
  units: BillableUnits | null = null;
  /** what each relay plugin that ran did (plugin-stage's settlePlugins); null when none ran */
  plugins: UsageRecord['plugins'] = null;
  /** the request's logged bodies (log-bodies); null unless its token or group opts in */
  bodies: UsageRecord['bodies'] = null;
  /** the keys the attempts used, in order (the per-key counters); the last one answered */
  readonly keyAttempts: { keyId: number; ok: boolean }[] = [];

  /** One upstream attempt with a key of the routing table (keys of older routers carry no id and are not counted). */
  keyAttempt(keyId: number | undefined, ok: boolean): void {
    if (keyId === undefined) return;
    // bounded like the record: past the cap the earliest failures give way, the answering key is always last
    if (this.keyAttempts.length >= MAX_KEY_ATTEMPTS) this.keyAttempts.splice(0, 1);
    this.keyAttempts.push({ keyId, ok });
  }

  constructor(
    readonly requestId: string,
    readonly protocol: WireProtocol,
    public model: string,
    readonly stream: boolean,
    readonly startedAt: number,
  ) {}

  build(latencyMs: number): UsageRecord {
    return {
      requestId: this.requestId,
      createdAt: this.createdAt.toISOString(),
      tokenId: this.tokenId,
      userId: this.userId,
      group: this.group,
      model: this.model,
      upstreamModel: this.upstreamModel,
      channelId: this.channelId,
      protocol: this.protocol,
      upstreamProtocol: this.upstreamProtocol,
      stream: this.stream,
      status: this.status,
      promptTokens: this.usage.promptTokens,
      completionTokens: this.usage.completionTokens,
      cacheReadTokens: this.usage.cacheReadTokens,
      cacheWriteTokens: this.usage.cacheWriteTokens,
      reasoningTokens: this.usage.reasoningTokens,
      costMicros: this.costMicros,
      latencyMs: Math.max(0, Math.round(latencyMs)),
      ttftMs: this.ttftMs,
      attempts: this.attempts,
      error: this.error,
      reservedMicros: this.reservedMicros,
      endpoint: this.endpoint,
      units: this.units && recordedUnits(this.units),
      keyAttempts: this.keyAttempts,
      plugins: this.plugins,
      bodies: this.bodies,
    };
  }
}

/** The record's units: the counts only (size and quality only priced them), none when all are zero. */
function recordedUnits(u: BillableUnits): Units | null {
  const out: Units = {};
  if (u.images) out.images = u.images;
  if (u.audioSeconds) out.audioSeconds = u.audioSeconds;
  if (u.characters) out.characters = u.characters;
  if (u.searchUnits) out.searchUnits = u.searchUnits;
  return Object.keys(out).length ? out : null;
}
