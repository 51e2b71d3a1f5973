import type { Lease } from '@switchboard/limits';
import type { UsageQueue } from '@switchboard/messaging';
import { Logger } from '@nestjs/common';
import { processMetrics } from '@switchboard/observability';
import type { AdmissionService } from '../admission/admission.service';
import type { RoutingTableService } from '../state/routing-table.service';
import { attemptContext, inboundCall, token } from './relay.fixture';
import { countedUsage, UsageRecorder } from './usage-recorder';

const lease = { reservedMicros: 500 } as unknown as Lease;

// The process registry, emptied before each test; each test's recorder resolves its series afresh.
const metrics = processMetrics();
beforeEach(() => metrics.registry.resetMetrics());

function recorder(publish: UsageQueue['publish'] = () => undefined) {
  const admission = { settle: jest.fn(() => Promise.resolve()), release: jest.fn(() => Promise.resolve()) };
  const queue = { publish: jest.fn(publish), pending: () => 0 };
  // Models a channel lists keep their name as a label; anything else is "other".
  const table = { modelLabel: (m: string) => (m === 'm' ? m : 'other') } as unknown as RoutingTableService;
  const r = new UsageRecorder(admission as unknown as AdmissionService, table, queue as unknown as UsageQueue);
  return { r, metrics, admission, queue };
}

const valueOf = async (metric: { get(): Promise<{ values: { labels: object; value: number; metricName?: string }[] }> }, labels: object, name?: string) =>
  (await metric.get()).values.find(
    (v) => (!name || v.metricName === name) && Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x),
  )?.value;

function answered() {
  const ctx = attemptContext();
  ctx.token = token();
  ctx.admitted = { lease, headers: {} };
  Object.assign(ctx.draft, { tokenId: 7, userId: 3, group: 'default', channelId: 4, status: 200, costMicros: 2_000_000, upstreamMs: 0 });
  ctx.draft.usage = { promptTokens: 10, completionTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  return ctx;
}

describe('UsageRecorder.finish', () => {
  it('an answered request: settles the lease with its tokens and cost, observes its series, publishes its record', async () => {
    const { r, metrics, admission, queue } = recorder();
    r.finish(answered());
    expect(admission.settle).toHaveBeenCalledWith(lease, 15, 2_000_000, undefined);
    expect(admission.release).not.toHaveBeenCalled();
    expect(await valueOf(metrics.requests, { protocol: 'openai-chat', model: 'm', channel: '4', group: 'default', status_class: '2xx' })).toBe(1);
    expect(await valueOf(metrics.tokens, { model: 'm', type: 'prompt' })).toBe(10);
    expect(await valueOf(metrics.tokens, { model: 'm', type: 'completion' })).toBe(5);
    expect(await valueOf(metrics.cost, { model: 'm', group: 'default' })).toBe(2);
    expect(
      await valueOf(metrics.requestDuration, { protocol: 'openai-chat', stream: 'false', status_class: '2xx' }, 'switchboard_request_duration_seconds_count'),
    ).toBe(1);
    expect(await valueOf(metrics.overhead, { protocol: 'openai-chat' }, 'switchboard_gateway_overhead_seconds_count')).toBe(1);
    expect((await metrics.errors.get()).values).toHaveLength(0);
    expect(queue.publish).toHaveBeenCalledTimes(1);
    expect(queue.publish.mock.calls[0][0]).toMatchObject({
      requestId: 'req-1',
      tokenId: 7,
      channelId: 4,
      status: 200,
      promptTokens: 10,
      completionTokens: 5,
      costMicros: 2_000_000,
    });
  });

  it('the same label set twice adds to one series', async () => {
    const { r, metrics } = recorder();
    r.finish(answered());
    r.finish(answered());
    expect(await valueOf(metrics.requests, { channel: '4' })).toBe(2);
  });

  it('nothing used: the lease is released, not settled', () => {
    const { r, admission } = recorder();
    const ctx = answered();
    ctx.draft.usage = { ...ctx.draft.usage, promptTokens: 0, completionTokens: 0 };
    ctx.draft.costMicros = 0;
    r.finish(ctx);
    expect(admission.release).toHaveBeenCalledWith(lease);
    expect(admission.settle).not.toHaveBeenCalled();
  });

  it('refused before a key was known: counted as unknown/none with its error class, no usage record', async () => {
    const { r, metrics, admission, queue } = recorder();
    const ctx = attemptContext();
    ctx.draft.status = 401;
    r.finish(ctx);
    expect(await valueOf(metrics.requests, { model: 'unknown', channel: 'none', group: 'none', status_class: '4xx' })).toBe(1);
    expect(await valueOf(metrics.errors, { protocol: 'openai-chat', class: 'auth' })).toBe(1);
    expect(admission.settle).not.toHaveBeenCalled();
    expect(queue.publish).not.toHaveBeenCalled();
  });

  it('a request of a known key that never reached a channel: a record, but no token or cost series; no status counts as 500', async () => {
    const { r, metrics, queue } = recorder();
    const ctx = attemptContext();
    ctx.token = token();
    r.finish(ctx);
    expect(queue.publish).toHaveBeenCalledTimes(1);
    expect((await metrics.tokens.get()).values).toHaveLength(0);
    expect(await valueOf(metrics.errors, { class: 'upstream' })).toBe(1);
  });

  it('a queue that refuses the record does not fail the request: it is logged', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { r } = recorder(() => {
      throw new Error('spool full');
    });
    expect(() => r.finish(answered())).not.toThrow();
    expect(logged).toHaveBeenCalledWith('usage record req-1 not queued: spool full');
    logged.mockRestore();
  });
  it('per endpoint family: requests by status class, and the units billed (none when the request used none)', async () => {
    const { r, metrics } = recorder();
    const images = answered();
    Object.assign(images.draft, { endpoint: 'images.generations', units: { images: 2, imageSize: '1024x1024' } });
    r.finish(images);
    const speech = answered();
    Object.assign(speech.draft, { endpoint: 'audio.speech', status: 502, units: { characters: 1200, audioSeconds: 0 } });
    r.finish(speech);
    const unknown = attemptContext();
    unknown.draft.endpoint = null; // refused before the relay knew the family
    r.finish(unknown);
    expect(await valueOf(metrics.endpointRequests, { endpoint: 'images.generations', status_class: '2xx' })).toBe(1);
    expect(await valueOf(metrics.endpointRequests, { endpoint: 'audio.speech', status_class: '5xx' })).toBe(1);
    expect(await valueOf(metrics.endpointRequests, { endpoint: 'unknown', status_class: '5xx' })).toBe(1);
    expect((await metrics.units.get()).values.map((v) => [v.labels.endpoint, v.labels.unit, v.value])).toEqual([
      ['images.generations', 'images', 2],
      ['audio.speech', 'characters', 1200],
    ]);
  });
});

describe('UsageRecorder observations', () => {
  it('upstream duration by channel, upstream protocol and status class', async () => {
    const { r, metrics } = recorder();
    r.observeUpstream(4, 'anthropic', '5xx', performance.now());
    expect(
      await valueOf(
        metrics.upstreamDuration,
        { channel: '4', upstream_protocol: 'anthropic', status_class: '5xx' },
        'switchboard_upstream_duration_seconds_count',
      ),
    ).toBe(1);
  });

  it('the first token sets ttft once', async () => {
    const { r, metrics } = recorder();
    const ctx = attemptContext();
    r.firstToken(ctx.draft, 'openai-chat');
    const first = ctx.draft.ttftMs;
    expect(first).not.toBeNull();
    r.firstToken(ctx.draft, 'openai-chat');
    expect(ctx.draft.ttftMs).toBe(first);
    expect(await valueOf(metrics.ttft, { protocol: 'openai-chat', model: 'm' }, 'switchboard_time_to_first_token_seconds_count')).toBe(1);
  });

  it('retries, fallbacks, and the cost of the delivered usage at the group ratio', async () => {
    const { r, metrics } = recorder();
    r.retried('anthropic', '5xx');
    r.fellBack(null);
    expect(await valueOf(metrics.retries, { protocol: 'anthropic', reason: '5xx' })).toBe(1);
    expect(await valueOf(metrics.fallbacks, { alias: 'none' })).toBe(1);
    const ctx = answered();
    r.bill(ctx.draft, null, token());
    expect(ctx.draft.costMicros).toBe(0);
  });

  it('counted usage: the prompt estimate and the tokens of the delivered text', () => {
    const u = countedUsage(inboundCall(), 'hello world');
    expect(u.promptTokens).toBeGreaterThan(0);
    expect(u.completionTokens).toBe(2);
    expect(countedUsage(inboundCall(), '').completionTokens).toBe(0);
  });
});
