import { Injectable } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { BanListService } from '../state/ban-list.service';
import { RoutingTableService, type RuntimeChannel, type RuntimeKey } from '../state/routing-table.service';
import type { AttemptContext } from './attempt-context';
import { pickChannel, pickKey } from './channel-selector';
import { sendRelayError } from './error-response';
import { FailoverPolicy, type AttemptFailure } from './failover-policy';
import { UpstreamAttempt } from './upstream-attempt';
import { FailoverTally } from './upstream-failure.util';
import { servable } from './route-planner';
import { UsageRecorder } from './usage-recorder';

/**
 * SPEC §6 failover: the route's model, then its alias' fallbacks; within a model the best usable channel and key
 * (bans, priority, weight × health), widened to any group when the key allows it; each failure excluded, recorded,
 * charged by FailoverPolicy. Returns once an attempt answered the client; throws the error for the client otherwise.
 */
@Injectable()
export class FailoverLoop {
  constructor(
    private readonly table: RoutingTableService,
    private readonly bans: BanListService,
    private readonly policy: FailoverPolicy,
    private readonly attempt: UpstreamAttempt,
    private readonly recorder: UsageRecorder,
  ) {}

  async run(ctx: AttemptContext): Promise<void> {
    const { call, draft, reply, abort } = ctx;
    const route = ctx.route!;
    const token = ctx.token!;
    const excluded = new Set<number>();
    const excludedKeys = new Set<string>();
    ctx.budget = this.policy.retryBudget;
    let last: AttemptFailure | undefined;
    let sawCandidate = false;
    let tally: FailoverTally | undefined;
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort(new Error('client closed the connection'));
    };
    reply.raw.on('close', onClose);
    const models = route.fallbacks.length ? [route.model, ...route.fallbacks] : [route.model];
    try {
      for (let m = 0; m < models.length; m++) {
        const model = (ctx.model = models[m]);
        if (m > 0) this.recorder.fellBack(route.alias);
        let candidates = m === 0 ? route.candidates : servable(this.table.channelsFor(model, token.group.name), model, call);
        excluded.clear();
        for (let widened = false; ;) {
          const usable = candidates.filter((c) => !this.bans.isBanned(c.id, model));
          if (usable.length) sawCandidate = true;
          const best = Math.min(...usable.map((c) => this.bans.latencyOf(c.id) ?? Infinity));
          const channel = pickChannel(usable, excluded, (id) => this.bans.health(id, Number.isFinite(best) ? best : 0));
          if (!channel) {
            // Optional per token: when its group has nothing left, any group's channels may serve.
            if (token.crossGroupRetry && !widened) {
              widened = true;
              candidates = servable(this.table.channelsForAnyGroup(model), model, call);
              continue;
            }
            break;
          }
          for (const k of channel.keys) if (this.bans.isKeyBanned(channel.id, k.index)) excludedKeys.add(`${channel.id}:${k.index}`);
          const key = pickKey(channel, excludedKeys);
          if (!key) {
            excluded.add(channel.id);
            continue;
          }
          draft.attempts++;
          const t0 = performance.now();
          const failure = await this.attempt.run(ctx, channel, key);
          this.recordOutcome(ctx, channel, key, failure, performance.now() - t0);
          if (!failure) {
            this.recorder.bill(draft, ctx.price, token);
            return;
          }
          last = failure;
          (tally ??= new FailoverTally()).attempt(failure.status, failure.error, failure.free);
          if (failure.final) {
            draft.status = failure.status;
            draft.error = failure.error.message;
            const sent = sendRelayError(reply, call.protocol, draft.requestId, failure.error);
            ctx.bodyLog?.error(sent);
            return;
          }
          if (abort.aborted) throw new DomainError('client_closed', 499, 'client closed the connection');
          if (this.policy.excludes(failure, channel) === 'key') excludedKeys.add(`${channel.id}:${key.index}`);
          else excluded.add(channel.id);
          const charge = this.policy.charge(failure, ctx);
          if (charge === 'exhausted') break;
          if (charge === 'retry') this.recorder.retried(call.protocol, this.policy.retryReason(failure));
        }
        if (ctx.budget < 0) break;
      }
    } finally {
      reply.raw.off('close', onClose);
    }
    tally ??= new FailoverTally();
    const now = Date.now();
    for (const model of models) {
      for (const c of this.table.channelsFor(model, token.group.name)) {
        const ban = this.bans.banOf(c.id, model, now);
        if (ban) tally.banned(ban, now);
      }
    }
    throw this.policy.exhaustedError(call.model, last, sawCandidate, tally);
  }

  /** Feeds the error-rate windows and sets the ban the policy decides for this outcome. */
  private recordOutcome(ctx: AttemptContext, channel: RuntimeChannel, key: RuntimeKey, failure: AttemptFailure | undefined, ms: number): void {
    ctx.draft.keyAttempt(key.id, !failure && !ctx.draft.upstreamBroken);
    const outcome = this.policy.healthOutcome(channel, ctx.model, key.index, failure, ctx.draft.upstreamBroken);
    if (!outcome) return;
    this.bans.record(outcome, outcome.ok ? ms : null);
    if (!failure) return;
    const ban = this.policy.banAfter(channel, ctx.model, key.index, failure, Date.now());
    if (ban) this.bans.ban(ban);
  }
}
