import { createStreamTranslator } from './stream-translator';

const ctx = { upstreamModel: 'm', requestedModel: 'm', stream: true, requestId: 'r' };

describe('StreamTranslator.upstreamError', () => {
  it('is null for a stream that completes', () => {
    const t = createStreamTranslator('openai-chat', 'openai-chat', ctx);
    t.push(
      'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}\n\n',
    );
    t.push(
      'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
    );
    t.end();
    expect(t.upstreamError).toBeNull();
  });

  it('carries an in-stream error event, on pass-through and when converting', () => {
    for (const to of ['openai-chat', 'anthropic'] as const) {
      const t = createStreamTranslator('openai-chat', to, ctx);
      t.push(
        'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}\n\n',
      );
      t.push('data: {"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}\n\n');
      t.end();
      expect([to, t.upstreamError?.message]).toEqual([to, 'overloaded']);
    }
    const a = createStreamTranslator('anthropic', 'gemini', ctx);
    a.push(
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
    );
    a.push('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    expect(a.upstreamError).toMatchObject({ message: 'Overloaded' });
  });
});
