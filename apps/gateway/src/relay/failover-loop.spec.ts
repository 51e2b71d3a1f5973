import type { Ban } from '@switchboard/health';
import { DomainError } from '@switchboard/contracts';
import type { BanListService } from '../state/ban-list.service';
import type { RoutingTableService, RuntimeChannel, RuntimeKey } from '../state/routing-table.service';
import type { AttemptContext } from './attempt-context';
import { FailoverLoop } from './failover-loop';
import { FailoverPolicy, transportFailure, type AttemptFailure } from './failover-policy';
import { attemptContext, channel, FakeReply, token } from './relay.fixture';
import type { Route } from './route-planner';
import type { UpstreamAttempt } from './upstream-attempt';
import type { UsageRecorder } from './usage-recorder';

const ok = undefined;
const down = transportFailure(502, 'network', 'reset');
const status = (s: number, message = `upstream ${s}`): AttemptFailure =>
  new FailoverPolicy({ RETRY_BUDGET: 0, BAN_PROBE_INTERVAL_MS: 1 }).httpFailure(s, { status: s, message });

/**
 * A loop over fakes: `outcomes` answers each attempt on `channel id` (or `id:key`) in turn; the last answer repeats.
 * Selection is deterministic when each priority tier holds one channel.
 */
function setup(opts: {
  channels: Record<string, RuntimeChannel[]>;
  anyGroup?: Record<string, RuntimeChannel[]>;
  outcomes: Record<string, (AttemptFailure | undefined)[]>;
  budget?: number;
  banned?: Record<string, Ban>;
  /** runs inside each attempt (the client leaving meanwhile, say) */
  during?: (ctx: AttemptContext) => void;
}) {
  const tried: string[] = [];
  const models: string[] = [];
  const table = {
    channelsFor: (model: string) => opts.channels[model] ?? [],
    channelsForAnyGroup: (model: string) => opts.anyGroup?.[model] ?? [],
  } as unknown as RoutingTableService;
  const bans = {
    isBanned: (id: number, model: string) => !!opts.banned?.[`${id}:${model}`],
    banOf: (id: number, model: string) => opts.banned?.[`${id}:${model}`],
    latencyOf: () => undefined,
    health: () => 1,
    isKeyBanned: () => false,
    record: jest.fn(),
    ban: jest.fn(),
  };
  const attempt = {
    run: (ctx: AttemptContext, c: RuntimeChannel, k: RuntimeKey) => {
      const id = c.keys.length > 1 ? `${c.id}:${k.index}` : String(c.id);
      tried.push(id);
      models.push(ctx.model);
      opts.during?.(ctx);
      const list = opts.outcomes[id] ?? opts.outcomes[String(c.id)] ?? [ok];
      return Promise.resolve(list.length > 1 ? list.shift() : list[0]);
    },
  } as unknown as UpstreamAttempt;
  const recorder = { bill: jest.fn(), fellBack: jest.fn(), retried: jest.fn() };
  const policy = new FailoverPolicy({ RETRY_BUDGET: opts.budget ?? 3, BAN_PROBE_INTERVAL_MS: 15_000 });
  const loop = new FailoverLoop(table, bans as unknown as BanListService, policy, attempt, recorder as unknown as UsageRecorder);
  return { loop, tried, models, bans, recorder };
}

function ctxFor(route: Partial<Route> & { candidates: RuntimeChannel[] }, crossGroupRetry = false) {
  const reply = new FakeReply();
  const ctx = attemptContext(undefined, reply);
  ctx.token = token({ crossGroupRetry });
  ctx.route = { model: 'm', fallbacks: [], alias: null, ...route };
  return { ctx, reply };
}

const statusOf = (p: Promise<void>) =>
  p.then(
    () => 200,
    (e: DomainError) => e.status,
  );

describe('FailoverLoop', () => {
  const a = channel({ id: 1, priority: 2 });
  const b = channel({ id: 2, priority: 1 });

  it('the first channel answers: one attempt, recorded ok, billed', async () => {
    const { loop, tried, bans, recorder } = setup({ channels: { m: [a, b] }, outcomes: {} });
    const { ctx } = ctxFor({ candidates: [a, b] });
    await loop.run(ctx);
    expect(tried).toEqual(['1']);
    expect(ctx.draft.attempts).toBe(1);
    expect(bans.record).toHaveBeenCalledWith(expect.objectContaining({ channelId: 1, ok: true }), expect.any(Number));
    expect(recorder.bill).toHaveBeenCalledTimes(1);
    expect(recorder.retried).not.toHaveBeenCalled();
  });

  it('a failure moves on to the next channel, spending a retry; a 429 backs its channel off', async () => {
    const { loop, tried, bans, recorder } = setup({ channels: { m: [a, b] }, outcomes: { 1: [status(429)] } });
    const { ctx } = ctxFor({ candidates: [a, b] });
    await loop.run(ctx);
    expect(tried).toEqual(['1', '2']);
    expect(recorder.retried).toHaveBeenCalledWith('openai-chat', '4xx');
    expect(bans.ban).toHaveBeenCalledWith(expect.objectContaining({ channelId: 1, reason: 'backoff', status: 429 }));
  });

  it('a final failure (400) goes to the client as is; nothing else is tried, nothing recorded', async () => {
    const { loop, tried, bans } = setup({ channels: { m: [a, b] }, outcomes: { 1: [status(400, 'bad field')] } });
    const { ctx, reply } = ctxFor({ candidates: [a, b] });
    await loop.run(ctx);
    expect(tried).toEqual(['1']);
    expect(reply.statusCode).toBe(400);
    expect(reply.sentHeaders['x-request-id']).toBe('req-1');
    expect(ctx.draft).toMatchObject({ status: 400, error: 'bad field' });
    expect(bans.record).not.toHaveBeenCalled();
  });

  it('the retry budget ends the request, fallbacks included: 503 with the last error', async () => {
    const c = channel({ id: 3, priority: 0 });
    const { loop, tried, recorder } = setup({ channels: { m: [a, b, c], fb: [channel({ id: 9 })] }, outcomes: { 1: [down], 2: [down], 3: [down] }, budget: 1 });
    const { ctx } = ctxFor({ candidates: [a, b, c], fallbacks: ['fb'] });
    await expect(loop.run(ctx)).rejects.toMatchObject({ status: 503, code: 'no_available_channel', message: expect.stringContaining('reset') as string });
    expect(tried).toEqual(['1', '2']);
    expect(recorder.fellBack).not.toHaveBeenCalled();
  });

  it('free failures (404) cost no budget: every channel is tried, then the fallback model', async () => {
    const { loop, tried, models, recorder } = setup({
      channels: { m: [a, b], fb: [channel({ id: 9 })] },
      outcomes: { 1: [status(404)], 2: [status(404)] },
      budget: 0,
    });
    const { ctx } = ctxFor({ candidates: [a, b], fallbacks: ['fb'], alias: 'smart' });
    await loop.run(ctx);
    expect(tried).toEqual(['1', '2', '9']);
    expect(models).toEqual(['m', 'm', 'fb']);
    expect(recorder.fellBack).toHaveBeenCalledWith('smart');
  });

  it('a key the upstream refused on a multi-key channel: the other key of the same channel is tried next', async () => {
    const two = channel({ id: 4, keyMode: 'round_robin' }, 2);
    const { loop, tried, bans } = setup({ channels: { m: [two] }, outcomes: { '4:0': [status(401)], '4:1': [ok] } });
    const { ctx } = ctxFor({ candidates: [two] });
    await loop.run(ctx);
    expect(tried.sort()).toEqual(['4:0', '4:1']);
    expect(bans.ban).toHaveBeenCalledWith(expect.objectContaining({ channelId: 4, reason: 'auth' }));
  });

  it("a key allowed to cross groups tries any group's channels once its own are spent", async () => {
    const other = channel({ id: 7, groups: ['vip'] });
    const { loop, tried } = setup({ channels: { m: [a] }, anyGroup: { m: [a, other] }, outcomes: { 1: [down] } });
    const { ctx } = ctxFor({ candidates: [a] }, true);
    await loop.run(ctx);
    expect(tried).toEqual(['1', '7']);
    const { loop: strict, tried: strictTried } = setup({ channels: { m: [a] }, anyGroup: { m: [a, other] }, outcomes: { 1: [down] } });
    expect(await statusOf(strict.run(ctxFor({ candidates: [a] }).ctx))).toBe(503);
    expect(strictTried).toEqual(['1']);
  });

  it('the client left: 499, no further attempt', async () => {
    const { loop, tried } = setup({ channels: { m: [a, b] }, outcomes: { 1: [down] } });
    const { ctx } = ctxFor({ candidates: [a, b] });
    ctx.abort.abort(new Error('gone'));
    await expect(loop.run(ctx)).rejects.toMatchObject({ status: 499, code: 'client_closed' });
    expect(tried).toEqual(['1']);
  });

  it('the client closing the connection cancels the upstream call; the listener is removed afterwards', async () => {
    const { loop } = setup({ channels: { m: [a, b] }, outcomes: { 1: [down] }, during: (c) => (c.reply.raw as unknown as FakeReply['raw']).emit('close') });
    const { ctx, reply } = ctxFor({ candidates: [a, b] });
    await expect(loop.run(ctx)).rejects.toMatchObject({ status: 499 });
    expect(ctx.abort.aborted).toBe(true);
    expect(reply.raw.listenerCount('close')).toBe(0);
  });

  it('every channel banned: 503 saying so; a 429 back-off ban alone: 429 with its remaining wait', async () => {
    const until = Date.now() + 30_000;
    const downBan: Ban = { channelId: 1, model: 'm', reason: 'error_rate', until, nextProbeAt: until };
    const { loop, tried } = setup({ channels: { m: [a] }, outcomes: {}, banned: { '1:m': downBan } });
    await expect(loop.run(ctxFor({ candidates: [a] }).ctx)).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('every channel is banned') as string,
    });
    expect(tried).toEqual([]);
    const backoff: Ban = { channelId: 1, model: 'm', reason: 'backoff', status: 429, until, nextProbeAt: until };
    const { loop: limited } = setup({ channels: { m: [a] }, outcomes: {}, banned: { '1:m': backoff } });
    await expect(limited.run(ctxFor({ candidates: [a] }).ctx)).rejects.toMatchObject({ status: 429, details: { retryAfterSeconds: 30 } });
  });

  it('a first-byte timeout as the last failure: 504', async () => {
    const { loop } = setup({ channels: { m: [a] }, outcomes: { 1: [transportFailure(504, 'timeout_first_byte', 'slow')] } });
    await expect(loop.run(ctxFor({ candidates: [a] }).ctx)).rejects.toMatchObject({ status: 504, code: 'upstream_timeout' });
  });
});
