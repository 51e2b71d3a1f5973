import { Counter, Histogram, Registry } from 'prom-client';
import { SeriesCache } from './metrics';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const VALUES = [0, 0.0001, 0.0005, 0.0007, 0.003, 0.02, 0.1, 0.3, 7, 29.9, 120, 500, 0.0025, 1e-9];

function pair() {
  const make = () => {
    const registry = new Registry();
    return {
      registry,
      h: new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['protocol', 'stream', 'status_class'] as const, buckets: BUCKETS, registers: [registry] }),
      c: new Counter({ name: 'c_total', help: 'c', labelNames: ['model', 'type'] as const, registers: [registry] }),
    };
  };
  return { plain: make(), fast: make() };
}

describe('SeriesCache (the hot-path form of a labelled prom-client metric)', () => {
  it('exposes exactly what prom-client exposes for the same observations', async () => {
    const { plain, fast } = pair();
    const hs = new SeriesCache(fast.h);
    const cs = new SeriesCache(fast.c);
    for (const [i, v] of VALUES.entries()) {
      const labels = { protocol: i % 2 ? 'anthropic' : 'openai-chat', stream: i % 3 ? 'false' : 'true', status_class: '2xx' };
      plain.h.observe(labels, v);
      hs.series(`${labels.protocol}\0${labels.stream}\0${labels.status_class}`, () => labels).observe(v);
      plain.c.inc({ model: 'm', type: 'prompt' }, i);
      cs.series('m\0prompt', () => ({ model: 'm', type: 'prompt' })).inc(i);
    }
    expect(await fast.registry.metrics()).toBe(await plain.registry.metrics());
    // and it did take the in-place path (prom-client's internals are the expected ones)
    expect(hs.series('openai-chat\u0000true\u00002xx', () => ({})).resolved).toBe(true);
    expect(cs.series('m\0prompt', () => ({})).resolved).toBe(true);
  });

  it('follows reset() and remove(), and still refuses what prom-client refuses', async () => {
    const { plain, fast } = pair();
    const hs = new SeriesCache(fast.h);
    const cs = new SeriesCache(fast.c);
    const labels = { protocol: 'gemini', stream: 'true', status_class: '5xx' };
    const s = hs.series('k', () => labels);
    const c = cs.series('k', () => ({ model: 'm', type: 'completion' }));
    s.observe(0.2);
    c.inc(3);
    fast.h.reset();
    fast.c.reset();
    s.observe(0.4);
    s.observe(0.004);
    c.inc(2);
    fast.h.remove('gemini', 'true', '5xx');
    s.observe(1.5);
    plain.h.observe(labels, 1.5);
    plain.c.inc({ model: 'm', type: 'completion' }, 2);
    expect(await fast.registry.metrics()).toBe(await plain.registry.metrics());
    expect(() => s.observe(Number.NaN)).toThrow(TypeError);
    expect(() => c.inc(-1)).toThrow();
  });
});
