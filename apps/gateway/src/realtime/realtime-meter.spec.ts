import type { PriceEntry } from '@switchboard/contracts';
import { RealtimeMeter } from './realtime-meter';

// $4 / $16 per million tokens, cache reads $0.40
const PRICE: PriceEntry = {
  model: 'gpt-realtime',
  inputMicros: 4_000_000,
  outputMicros: 16_000_000,
  cacheReadMicros: 400_000,
  cacheWriteMicros: 0,
  perRequestMicros: 0,
};
const frame = (e: unknown) => Buffer.from(JSON.stringify(e));
const done = (input: number, output: number, cached = 0) =>
  frame({ type: 'response.done', response: { usage: { input_tokens: input, output_tokens: output, input_token_details: { cached_tokens: cached } } } });

describe('RealtimeMeter', () => {
  it('bills each response.done with the token price and sums the session', () => {
    const m = new RealtimeMeter(PRICE, 1);
    expect(m.server(frame({ type: 'response.output_text.delta', delta: 'hi' }))).toBeNull();
    m.server(done(1000, 500));
    // (1000 × $4 + 500 × $16) / 1e6 = $0.012
    expect(m.costMicros).toBe(12_000);
    m.server(done(2000, 100, 1000));
    // (1000 × 4e6 + 1000 × 0.4e6 + 100 × 16e6) / 1e6 = 4000 + 400 + 1600
    expect(m.costMicros).toBe(12_000 + 6_000);
    expect(m.usage).toEqual({ promptTokens: 3000, completionTokens: 600, cacheReadTokens: 1000, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(m.responses).toBe(2);
  });

  it('the group price ratio applies; a free model costs nothing', () => {
    const m = new RealtimeMeter(PRICE, 0.5);
    m.server(done(1000, 500));
    expect(m.costMicros).toBe(6_000);
    const free = new RealtimeMeter(null, 1);
    free.server(done(1000, 500));
    expect([free.costMicros, free.usage.promptTokens]).toEqual([0, 1000]);
  });

  it('the next response is estimated from the last context and the output budget the client set', () => {
    const m = new RealtimeMeter(PRICE, 1);
    const create = m.client(frame({ type: 'response.create', event_id: 'e1' }))!;
    // nothing read yet, the relay's default output budget (4096)
    expect(m.nextResponseMicros(create)).toBe(4096 * 16);
    m.server(done(1000, 10));
    m.client(frame({ type: 'session.update', session: { max_output_tokens: 100 } }));
    expect(m.nextResponseMicros(m.client(frame({ type: 'response.create' }))!)).toBe(1000 * 4 + 100 * 16);
    expect(m.nextResponseMicros(m.client(frame({ type: 'response.create', response: { max_output_tokens: 10 } }))!)).toBe(1000 * 4 + 10 * 16);
    expect(m.client(frame({ type: 'conversation.item.create' }))).toBeNull();
  });
});
