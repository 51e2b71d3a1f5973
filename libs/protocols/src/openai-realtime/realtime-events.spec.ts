import { realtimeErrorEvent, realtimeResponseCreate, realtimeResponseUsage, realtimeSessionMaxOutput } from './realtime-events';

const frame = (e: unknown) => Buffer.from(JSON.stringify(e));

// A response.done as the GA API sends it (reference §4.4), usage with every detail field.
const DONE = {
  type: 'response.done',
  event_id: 'event_1',
  response: {
    object: 'realtime.response',
    id: 'resp_1',
    status: 'completed',
    output: [],
    usage: {
      total_tokens: 253,
      input_tokens: 200,
      output_tokens: 53,
      input_token_details: {
        text_tokens: 120,
        audio_tokens: 80,
        image_tokens: 0,
        cached_tokens: 64,
        cached_tokens_details: { text_tokens: 64, audio_tokens: 0 },
      },
      output_token_details: { text_tokens: 13, audio_tokens: 40 },
    },
  },
};

describe('Realtime frames the gateway reads', () => {
  it('response.done usage: all input (cached included), cached as cache reads, text and audio output', () => {
    expect(realtimeResponseUsage(frame(DONE))).toEqual({
      promptTokens: 200,
      completionTokens: 53,
      cacheReadTokens: 64,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('other frames, a response.done without usage, a text mentioning response.done, garbage: no usage', () => {
    expect(realtimeResponseUsage(frame({ type: 'response.output_text.delta', delta: 'x' }))).toBeNull();
    expect(realtimeResponseUsage(frame({ type: 'response.done', response: { status: 'cancelled', usage: null } }))).toBeNull();
    expect(realtimeResponseUsage(frame({ type: 'response.output_text.delta', delta: '"response.done"' }))).toBeNull();
    expect(realtimeResponseUsage(Buffer.from('{"type":"response.done",'))).toBeNull();
  });

  it('hostile counts are clamped: negative → 0, cached never above input', () => {
    const u = realtimeResponseUsage(
      frame({ type: 'response.done', response: { usage: { input_tokens: 5, output_tokens: -3, input_token_details: { cached_tokens: 99 } } } }),
    );
    expect(u).toMatchObject({ promptTokens: 5, completionTokens: 0, cacheReadTokens: 5 });
  });

  it('response.create: its event id and numeric output budget', () => {
    expect(realtimeResponseCreate(frame({ type: 'response.create', event_id: 'c1', response: { max_output_tokens: 300 } }))).toEqual({
      eventId: 'c1',
      maxOutputTokens: 300,
    });
    expect(realtimeResponseCreate(frame({ type: 'response.create', response: { max_output_tokens: 'inf' } }))).toEqual({
      eventId: null,
      maxOutputTokens: null,
    });
    expect(realtimeResponseCreate(frame({ type: 'response.cancel' }))).toBeNull();
  });

  it('session.update: the session output budget (number, inf → null, untouched → undefined)', () => {
    expect(realtimeSessionMaxOutput(frame({ type: 'session.update', session: { max_output_tokens: 500 } }))).toBe(500);
    expect(realtimeSessionMaxOutput(frame({ type: 'session.update', session: { max_output_tokens: 'inf' } }))).toBeNull();
    expect(realtimeSessionMaxOutput(frame({ type: 'session.update', session: { instructions: 'x' } }))).toBeUndefined();
  });

  it('a refusal is an error server event in OpenAI shape naming the refused client event', () => {
    const e = JSON.parse(
      realtimeErrorEvent({ status: 429, message: 'You exceeded your current quota.', code: 'insufficient_quota' }, 'event_gw', 'c1'),
    ) as unknown;
    expect(e).toEqual({
      type: 'error',
      event_id: 'event_gw',
      error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You exceeded your current quota.', param: null, event_id: 'c1' },
    });
  });
});
