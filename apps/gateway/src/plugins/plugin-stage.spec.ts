import { processMetrics } from '@switchboard/observability';
import { channel, inboundCall } from '../relay/relay.fixture';
import { AttemptContext } from '../relay/attempt-context';
import type { InboundCall } from '../relay/inbound';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { scopePlugins } from './plugin-scope';
import { activePlugins, answerTransforms, beforeRelay, settlePlugins, shapeAttempt, tapEnd, tapWrite } from './plugin-stage';
import { noteDetail, type RelayPlugin } from './relay-plugin';
import { streamFakePlugin } from './stream-fake/stream-fake.plugin';

const ctxFor = (call: InboundCall, model = call.model) => {
  const ctx = new AttemptContext(call, {} as FastifyRequest, {} as FastifyReply, 'req-1', 0);
  ctx.model = model;
  return ctx;
};
const scoped = (...names: ('cache' | 'stream-fake' | 'think-split')[]) =>
  scopePlugins(names.map((name) => ({ name, settings: {}, models: null, groups: null, tokens: null })));
const count = async (plugin: string, outcome: string) =>
  (await processMetrics().pluginRequests.get()).values.find((v) => v.labels.plugin === plugin && v.labels.outcome === outcome)?.value ?? 0;

describe('plugin stage', () => {
  it('a request without plugins shares one empty list and its attempts keep the client’s stream choice', () => {
    const none = activePlugins([]);
    expect(none).toBe(activePlugins([]));
    const ctx = ctxFor(inboundCall());
    expect(ctx.plugins).toBe(none);
    expect(shapeAttempt(ctx, channel())).toBe(false);
    expect(shapeAttempt(ctxFor(inboundCall({ stream: true })), channel())).toBe(true);
  });

  it('runs only plugins with code, in order; a configured plugin without an implementation is not active', () => {
    const seen: string[] = [];
    const fake = (name: 'cache' | 'think-split'): RelayPlugin => ({
      name,
      shapeAttempt: (_ctx, shape) => {
        seen.push(`${name}:${shape.upstreamProtocol}`);
        return 'skipped';
      },
    });
    const active = activePlugins(scoped('cache', 'stream-fake', 'think-split'), { cache: fake('cache'), 'think-split': fake('think-split') });
    expect(active.map((p) => p.plugin.name)).toEqual(['cache', 'think-split']);
    expect(activePlugins(scoped('cache', 'think-split'), { 'stream-fake': streamFakePlugin }).map((p) => p.plugin.name)).toEqual([]);
    const ctx = ctxFor(inboundCall());
    ctx.plugins = active;
    shapeAttempt(ctx, channel({ type: 'anthropic' }));
    expect(seen).toEqual(['cache:anthropic', 'think-split:anthropic']);
  });

  it('collects answer transforms only for a chat answer, marking the plugins that gave one as applied', () => {
    const transform = { event: (ev: never) => [ev], flush: () => [], response: (ir: never) => ir };
    const plugin: RelayPlugin = { name: 'think-split', answerTransform: (ctx) => (ctx.model === 'none' ? null : transform) };
    const ctx = ctxFor(inboundCall());
    expect(answerTransforms(ctx)).toEqual([]);
    ctx.plugins = activePlugins(scoped('think-split'), { 'think-split': plugin });
    ctx.upstreamProtocol = 'anthropic';
    expect(answerTransforms(ctx)).toEqual([transform]);
    expect(ctx.plugins[0].outcome).toBe('applied');
    ctx.upstreamProtocol = 'openai-embeddings';
    expect(answerTransforms(ctx)).toEqual([]);
    const none = ctxFor(inboundCall(), 'none');
    none.plugins = activePlugins(scoped('think-split'), { 'think-split': plugin });
    expect(answerTransforms(none)).toEqual([]);
    expect(none.plugins[0].outcome).toBeNull();
  });

  it('counts each active plugin once per request: applied, failed (it acted, the request failed) or skipped', async () => {
    const before = [await count('stream-fake', 'applied'), await count('stream-fake', 'failed'), await count('stream-fake', 'skipped')];
    const run = (call: InboundCall, status: number) => {
      const ctx = ctxFor(call);
      ctx.plugins = activePlugins(scoped('stream-fake'));
      shapeAttempt(ctx, channel());
      ctx.draft.status = status;
      settlePlugins(ctx);
    };
    run(inboundCall(), 200);
    run(inboundCall(), 504);
    run(inboundCall({ stream: true }), 200);
    const noAttempt = ctxFor(inboundCall());
    noAttempt.plugins = activePlugins(scoped('stream-fake'));
    noAttempt.draft.status = 503;
    settlePlugins(noAttempt);
    expect([await count('stream-fake', 'applied'), await count('stream-fake', 'failed'), await count('stream-fake', 'skipped')]).toEqual([
      before[0] + 1,
      before[1] + 1,
      before[2] + 2,
    ]);
  });
});

describe('plugin stage: before the relay, answer taps, the log field', () => {
  it('runs beforeRelay in order; a plugin that answers ends the stage (no later plugin, no taps)', async () => {
    const seen: string[] = [];
    const answering: RelayPlugin = {
      name: 'cache',
      beforeRelay: async (ctx) => {
        seen.push('cache');
        noteDetail(ctx, answering, 'hit');
        return 'answered' as const;
      },
      answerTap: () => ({ write: () => seen.push('tap'), end: () => undefined }),
    };
    const later: RelayPlugin = { name: 'think-split', beforeRelay: () => (seen.push('think-split'), 'skipped') };
    const ctx = ctxFor(inboundCall());
    ctx.plugins = activePlugins(scoped('cache', 'think-split'), { cache: answering, 'think-split': later });
    expect(await beforeRelay(ctx)).toBe(true);
    expect(seen).toEqual(['cache']);
    expect(ctx.taps).toBeNull();
    ctx.draft.status = 200;
    const hits = await count('cache', 'hit');
    settlePlugins(ctx);
    expect(ctx.draft.plugins).toEqual({ cache: 'hit' });
    expect(await count('cache', 'hit')).toBe(hits + 1);
  });

  it('otherwise collects the taps the sinks feed; the log names each plugin that ran with its word or outcome', async () => {
    const got: string[] = [];
    const tapping: RelayPlugin = {
      name: 'cache',
      beforeRelay: () => 'applied',
      answerTap: () => ({ write: (c) => got.push(String(c)), end: (status, type) => got.push(`end ${status} ${type}`) }),
    };
    const ctx = ctxFor(inboundCall());
    ctx.plugins = activePlugins(scoped('cache', 'stream-fake'), { cache: tapping, 'stream-fake': streamFakePlugin });
    expect(await beforeRelay(ctx)).toBe(false);
    expect(ctx.taps).toHaveLength(1);
    tapWrite(ctx.taps!, 'data: 1\n\n');
    tapWrite(ctx.taps!, Buffer.from('data: 2\n\n'));
    tapEnd(ctx.taps!, 200, 'text/event-stream');
    expect(got).toEqual(['data: 1\n\n', 'data: 2\n\n', 'end 200 text/event-stream']);
    shapeAttempt(ctx, channel());
    ctx.draft.status = 200;
    settlePlugins(ctx);
    expect(ctx.draft.plugins).toEqual({ cache: 'applied', 'stream-fake': 'applied' });
  });

  it('a request without plugins gets no taps and no log field', async () => {
    const ctx = ctxFor(inboundCall());
    expect(await beforeRelay(ctx)).toBe(false);
    settlePlugins(ctx);
    expect(ctx.taps).toBeNull();
    expect(ctx.draft.plugins).toBeNull();
  });
});

describe('stream-fake', () => {
  const withStreamFake = (call: InboundCall, ch = channel()) => {
    const ctx = ctxFor(call);
    ctx.plugins = activePlugins(scoped('stream-fake'));
    return { stream: shapeAttempt(ctx, ch), outcome: ctx.plugins[0].outcome };
  };

  it('streams a non-stream chat call upstream, whatever chat protocol each side speaks', () => {
    expect(withStreamFake(inboundCall())).toEqual({ stream: true, outcome: 'applied' });
    expect(withStreamFake(inboundCall(), channel({ type: 'anthropic' }))).toEqual({ stream: true, outcome: 'applied' });
    expect(withStreamFake(inboundCall({ protocol: 'anthropic', endpoint: 'messages' }), channel({ type: 'gemini' }))).toEqual({
      stream: true,
      outcome: 'applied',
    });
  });

  it('leaves alone a client that streams, a family beyond chat, and an upstream that always streams', () => {
    expect(withStreamFake(inboundCall({ stream: true }))).toEqual({ stream: true, outcome: 'skipped' });
    const embed = inboundCall({ protocol: 'openai-embeddings', operation: 'embed', endpoint: 'embeddings', body: { model: 'm', input: 'x' } });
    expect(withStreamFake(embed)).toEqual({ stream: false, outcome: 'skipped' });
    const image = inboundCall({ protocol: 'openai-images', operation: 'image.generate', endpoint: 'images.generations', body: { model: 'm', prompt: 'x' } });
    expect(withStreamFake(image, channel({ endpoints: ['images.generations'] }))).toEqual({ stream: false, outcome: 'skipped' });
    expect(withStreamFake(inboundCall(), channel({ type: 'kiro' }))).toEqual({ stream: false, outcome: 'skipped' });
  });

  it('is the registry’s stream-fake', () => {
    expect(activePlugins(scoped('stream-fake'))[0].plugin).toBe(streamFakePlugin);
  });
});
