import { processMetrics } from '@switchboard/observability';
import { channel, inboundCall } from '../relay/relay.fixture';
import { AttemptContext } from '../relay/attempt-context';
import type { InboundCall } from '../relay/inbound';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { scopePlugins } from './plugin-scope';
import { activePlugins, settlePlugins, shapeAttempt } from './plugin-stage';
import type { RelayPlugin } from './relay-plugin';
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
    expect(activePlugins(scoped('think-split')).map((p) => p.plugin.name)).toEqual([]);
    const ctx = ctxFor(inboundCall());
    ctx.plugins = active;
    shapeAttempt(ctx, channel({ type: 'anthropic' }));
    expect(seen).toEqual(['cache:anthropic', 'think-split:anthropic']);
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
