import type { PriceEntry, RoutedAlias } from '@switchboard/contracts';
import type { PriceCache } from '../state/price-cache.service';
import type { RoutingTableService, RuntimeChannel } from '../state/routing-table.service';
import { channel, token } from './relay.fixture';
import { RoutePlanner } from './route-planner';

const PRICE = { model: 'gpt' } as unknown as PriceEntry;

function planner(opts: {
  channels?: Record<string, RuntimeChannel[]>;
  aliases?: RoutedAlias[];
  prices?: Record<string, PriceEntry>;
  policy?: 'reject' | 'free';
  priceFails?: boolean;
}) {
  const channels = opts.channels ?? {};
  const table = {
    alias: (name: string) => opts.aliases?.find((a) => a.name === name),
    channelsFor: (model: string, group: string) => (channels[model] ?? []).filter((c) => c.groups.includes(group)),
  } as unknown as RoutingTableService;
  const prices = {
    price: (model: string) => (opts.priceFails ? Promise.reject(new Error('billing away')) : Promise.resolve(opts.prices?.[model])),
  } as unknown as PriceCache;
  return new RoutePlanner(table, prices, { UNPRICED_MODEL_POLICY: opts.policy ?? 'reject' });
}

describe('RoutePlanner.plan: capability routing (a channel serves a family by its type or its declared endpoints)', () => {
  const images = { protocol: 'openai-images', operation: 'image.generate', endpoint: 'images.generations' } as const;
  const rerank = { protocol: 'rerank', operation: 'rerank', endpoint: 'rerank' } as const;

  it('keeps the channels whose type serves the family and drops the rest before any attempt', () => {
    const openai = channel({ id: 1, type: 'openai' });
    const anthropic = channel({ id: 2, type: 'anthropic' });
    const gemini = channel({ id: 3, type: 'gemini' });
    expect(
      planner({ channels: { m: [openai, anthropic, gemini] } })
        .plan('m', 'default', images)
        .candidates.map((c) => c.id),
    ).toEqual([1, 3]);
  });

  it('answers 400 naming the family when channels have the model but none serves it', () => {
    const p = planner({ channels: { m: [channel({ id: 1, type: 'openai' }), channel({ id: 2, type: 'anthropic' })] } });
    expect(() => p.plan('m', 'default', rerank)).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('rerank') as string }));
  });

  it('a channel declaring the family serves it; declaring others drops what its type would serve', () => {
    const declares = channel({ id: 1, type: 'openai-compatible', endpoints: ['rerank'] });
    const narrowed = channel({ id: 2, type: 'openai', endpoints: ['audio.speech'] });
    const p = planner({ channels: { m: [declares, narrowed] } });
    expect(p.plan('m', 'default', rerank).candidates.map((c) => c.id)).toEqual([1]);
    expect(() => p.plan('m', 'default', images)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('chat is never filtered: every listed channel may take a generation', () => {
    const c = [channel({ id: 1, type: 'openai', endpoints: ['rerank'] }), channel({ id: 2, type: 'anthropic' })];
    const chat = { protocol: 'openai-chat', operation: 'generate', endpoint: 'chat.completions' } as const;
    expect(planner({ channels: { m: c } }).plan('m', 'default', chat).candidates).toHaveLength(2);
  });

  it('a fallback model that can serve the family keeps the route (its channels are tried after)', () => {
    const aliases = [{ name: 'pic', targets: [{ model: 'a', weight: 1 }], fallbacks: ['b'] }] as unknown as RoutedAlias[];
    const p = planner({ channels: { a: [channel({ id: 1, type: 'anthropic' })], b: [channel({ id: 2, type: 'openai' })] }, aliases });
    expect(p.plan('pic', 'default', images)).toMatchObject({ model: 'a', candidates: [], fallbacks: ['b'] });
  });
});

describe('RoutePlanner.plan', () => {
  it('a model with channels of the key group routes to them, no alias, no fallbacks', () => {
    const c = channel({ id: 2 });
    expect(planner({ channels: { m: [c] } }).plan('m', 'default')).toEqual({ model: 'm', candidates: [c], fallbacks: [], alias: null });
  });

  it("an alias resolves to its target and carries its fallbacks and its own name (the metrics' alias label)", () => {
    const c = channel({ id: 2 });
    const p = planner({ channels: { real: [c] }, aliases: [{ name: 'smart', targets: [{ model: 'real', weight: 1 }], fallbacks: ['backup'] }] });
    expect(p.plan('smart', 'default')).toEqual({ model: 'real', candidates: [c], fallbacks: ['backup'], alias: 'smart' });
  });

  it('an alias whose target has no channel still routes when a fallback has one', () => {
    const p = planner({ channels: { backup: [channel()] }, aliases: [{ name: 'smart', targets: [{ model: 'real', weight: 1 }], fallbacks: ['backup'] }] });
    expect(p.plan('smart', 'default')).toMatchObject({ model: 'real', candidates: [], fallbacks: ['backup'] });
  });

  it("404 model_not_found when neither the model nor a fallback has a channel in the key's group", () => {
    const p = planner({ channels: { m: [channel({ groups: ['vip'] })] } });
    expect(() => p.plan('m', 'default')).toThrow(expect.objectContaining({ status: 404, code: 'model_not_found' }));
    expect(() => p.plan('nope', 'default')).toThrow(/The model "nope" does not exist/);
  });
});

describe('RoutePlanner.price', () => {
  it('a priced model has its price', async () => {
    await expect(planner({ prices: { gpt: PRICE } }).price('gpt', token())).resolves.toBe(PRICE);
  });

  it('unpriced: free under UNPRICED_MODEL_POLICY=free, or for a key without quota and balance limits', async () => {
    await expect(planner({ policy: 'free' }).price('gpt', token({ quotaMicros: 1000 }))).resolves.toBeNull();
    await expect(planner({}).price('gpt', token())).resolves.toBeNull();
  });

  it('unpriced with a limited quota or balance: 403 model_not_priced (also when billing cannot be asked)', async () => {
    await expect(planner({}).price('gpt', token({ quotaMicros: 1000 }))).rejects.toMatchObject({ status: 403, code: 'model_not_priced' });
    await expect(planner({ priceFails: true }).price('gpt', token({}, { balanceMicros: 5 }))).rejects.toMatchObject({ status: 403 });
  });
});
