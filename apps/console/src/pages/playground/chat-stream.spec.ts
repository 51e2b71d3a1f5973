import { answerOfJson, chatRequestBody, errorMessageOf, offeredModels, readChatStream, StreamError } from './chat-stream';

/** A body delivered in the given pieces, as the network might cut it. */
function streamOf(pieces: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const p of pieces) c.enqueue(enc.encode(p));
      c.close();
    },
  });
}

const SSE = [
  'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n',
  'data: {"choices":[{"index":0,"delta":{"reasoning_content":"think"}}]}\n\n',
  'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n',
  'data: {"choices":[{"index":0,"delta":{"content":"lo ✓"},"finish_reason":"stop"}]}\n\n',
  'data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}}\n\n',
  'data: [DONE]\n\n',
].join('');

describe('playground chat stream', () => {
  it('builds the body: system first, optional sampling fields, usage asked for when streaming', () => {
    const history = [{ role: 'user' as const, content: 'hi' }];
    expect(chatRequestBody({ model: 'm', system: ' ', temperature: null, maxTokens: null, stream: false }, history)).toEqual({ model: 'm', messages: history });
    expect(chatRequestBody({ model: 'm', system: 'be brief', temperature: 0, maxTokens: 64, stream: true }, history)).toEqual({
      model: 'm',
      messages: [{ role: 'system', content: 'be brief' }, ...history],
      temperature: 0,
      max_tokens: 64,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('reads content, reasoning, finish reason and usage, whatever the cuts between reads (a multi-byte character too)', async () => {
    const bytes = new TextEncoder().encode(SSE);
    for (const cut of [1, 7, 50, bytes.length]) {
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += cut) pieces.push(bytes.slice(i, i + cut));
      const seen: string[] = [];
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          for (const p of pieces) c.enqueue(p);
          c.close();
        },
      });
      const answer = await readChatStream(body, (p) => seen.push(p.content ?? `(${p.reasoning})`));
      expect([cut, answer]).toEqual([cut, { content: 'Hello ✓', reasoning: 'think', usage: { promptTokens: 12, completionTokens: 3 }, finishReason: 'stop' }]);
      expect(seen.join('')).toBe('(think)Hello ✓');
    }
  });

  it('throws the message of an error event in the stream', async () => {
    const body = streamOf([
      'data: {"choices":[{"delta":{"content":"a"}}]}\n\n',
      'data: {"error":{"message":"upstream went away","type":"upstream_error"}}\n\n',
    ]);
    await expect(readChatStream(body, () => undefined)).rejects.toEqual(new StreamError('upstream went away'));
  });

  it('reads a non-streamed answer', () => {
    expect(
      answerOfJson({
        choices: [{ message: { role: 'assistant', content: 'ok' }, finish_reason: 'length' }],
        usage: { prompt_tokens: 5, completion_tokens: 1 },
      }),
    ).toEqual({ content: 'ok', reasoning: '', usage: { promptTokens: 5, completionTokens: 1 }, finishReason: 'length' });
  });

  it("takes an error answer's message, or its status line", async () => {
    expect(await errorMessageOf(new Response('{"error":{"message":"quota exceeded"}}', { status: 429 }))).toBe('quota exceeded');
    expect(await errorMessageOf(new Response('bad gateway', { status: 502, statusText: 'Bad Gateway' }))).toBe('502 Bad Gateway: bad gateway');
  });

  it('offers exact channel models and aliases, once, without wildcards', () => {
    expect(
      offeredModels(
        [
          ['gpt-4o', 'claude-*'],
          ['gpt-4o', 'o3'],
        ],
        ['fast'],
      ),
    ).toEqual(['fast', 'gpt-4o', 'o3']);
  });
});
