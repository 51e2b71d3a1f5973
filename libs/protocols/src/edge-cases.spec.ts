/** One named test (or group) per edge case of protocols.md §10, plus the seed integration rules. */
import { convertRequest, convertResponse, createStreamTranslator, fileExtensionForMediaType, parseGeminiModelAction } from './index';
import { decodeToolCallId, GEMINI_DUMMY_THOUGHT_SIGNATURE } from './core/ids.util';
import { base64ToFloats } from './openai-embeddings/embedding-vector.util';
import { ProtocolError } from './protocol.error';
import type { ConvertContext, WireProtocol } from './protocol.types';
import { readClientStream } from './testing/client-stream.reader';
import { fixtureJson, fixtureText, randomSplits } from './testing/fixtures.loader';

type Obj = Record<string, any>; // test-only deep access
const CHAT: WireProtocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

function ctx(upstreamModel = 'model-x', stream = false, extra: Partial<ConvertContext> = {}): ConvertContext {
  return { upstreamModel, requestedModel: 'client-model', stream, requestId: 'req-edge', createdAt: 1, ...extra };
}
function stream(from: WireProtocol, to: WireProtocol, sse: string, c: ConvertContext = ctx('m', true)): string {
  const t = createStreamTranslator(from, to, c);
  return (
    randomSplits(sse, 11)
      .map((p) => t.push(p))
      .join('') + t.end()
  );
}
function sseOf(events: unknown[], named: boolean, sep = '\n\n'): string {
  return events
    .map((e) => (named ? `event: ${(e as Obj).type}\ndata: ${JSON.stringify(e)}${sep}` : `data: ${typeof e === 'string' ? e : JSON.stringify(e)}${sep}`))
    .join('');
}
function chatChunk(delta: Obj, finish: string | null = null): Obj {
  return { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
}

describe('§10.1 empty tools / tool_choice without tools', () => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [], tool_choice: 'auto', parallel_tool_calls: true };
  for (const to of CHAT) {
    it(`edge 01: openai-chat tools: [] + tool_choice → ${to}: both dropped`, () => {
      const out = convertRequest('openai-chat', to, body, ctx()) as Obj;
      expect(out.tools).toBeUndefined();
      expect(out.tool_choice).toBeUndefined();
      expect(out.toolConfig).toBeUndefined();
      expect(out.parallel_tool_calls).toBeUndefined();
    });
  }
  it('edge 01: Anthropic identity with tools: [] drops tool_choice; Gemini identity drops toolConfig', () => {
    const a = convertRequest(
      'anthropic',
      'anthropic',
      { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], tools: [], tool_choice: { type: 'auto' } },
      ctx(),
    ) as Obj;
    expect(a.tools).toBeUndefined();
    expect(a.tool_choice).toBeUndefined();
    const g = convertRequest(
      'gemini',
      'gemini',
      { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], tools: [], toolConfig: { functionCallingConfig: { mode: 'ANY' } } },
      ctx(),
    ) as Obj;
    expect(g.tools).toBeUndefined();
    expect(g.toolConfig).toBeUndefined();
  });
  it('edge 01: Anthropic upstream with tool history but no tools gets declared tools and tool_choice none', () => {
    const out = convertRequest(
      'openai-chat',
      'anthropic',
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'r' },
        ],
      },
      ctx(),
    ) as Obj;
    expect(out.tools).toEqual([{ name: 'lookup', input_schema: { type: 'object', properties: {} } }]);
    expect(out.tool_choice).toEqual({ type: 'none' });
  });
  it('edge 01: tool_choice none → Anthropic {type:"none"} without disable_parallel_tool_use', () => {
    const out = convertRequest(
      'openai-chat',
      'anthropic',
      {
        model: 'm',
        messages: [{ role: 'user', content: 'q' }],
        tools: [{ type: 'function', function: { name: 'f' } }],
        tool_choice: 'none',
        parallel_tool_calls: false,
      },
      ctx(),
    ) as Obj;
    expect(out.tool_choice).toEqual({ type: 'none' });
  });
});

describe('§10.2 tool-call arguments streamed across chunks', () => {
  const frags = ['{"q', 'uery":"a\\', '"b\\\\', 'c","n":', '1}'];
  const upstream = sseOf(
    [
      chatChunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'search', arguments: '' } }] }),
      ...frags.map((f) => chatChunk({ tool_calls: [{ index: 0, function: { arguments: f } }] })),
      chatChunk({}, 'tool_calls'),
      '[DONE]',
    ],
    false,
  );
  for (const to of ['anthropic', 'openai-responses', 'gemini'] as const) {
    it(`edge 02: fragments split inside strings and escapes reassemble for ${to}`, () => {
      const s = readClientStream(to, stream('openai-chat', to, upstream));
      expect(s.toolCalls).toHaveLength(1);
      expect(s.toolCalls[0].args).toEqual({ query: 'a"b\\c', n: 1 });
    });
  }
  it('edge 02: Anthropic no-argument tool (single empty partial_json) → OpenAI arguments "{}"', () => {
    const s = readClientStream('openai-chat', stream('anthropic', 'openai-chat', fixtureText('anthropic/stream-tool-no-args.sse')));
    expect(s.toolCalls[0]).toEqual({ id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', args: {} });
  });
  it('edge 02: a Gemini client receives each call whole (one functionCall part)', () => {
    const out = stream('openai-chat', 'gemini', upstream);
    expect(out.match(/functionCall/g)).toHaveLength(1);
  });
});

describe('§10.3 multiple tool calls in parallel', () => {
  it('edge 03: all tool results of a turn go into ONE user message, tool_result blocks first (Anthropic)', () => {
    const out = convertRequest('openai-chat', 'anthropic', fixtureJson('openai-chat/request-full.json'), ctx()) as Obj;
    const user = out.messages[2];
    expect(user.content.map((b: Obj) => b.type)).toEqual(['tool_result', 'tool_result', 'text']);
  });
  it('edge 03: function responses of a turn go into one user content (Gemini), count equals calls', () => {
    const out = convertRequest('openai-chat', 'gemini', fixtureJson('openai-chat/request-full.json'), ctx('gemini-2.5-flash')) as Obj;
    expect(out.contents[1].parts.filter((p: Obj) => p.functionCall)).toHaveLength(2);
    expect(out.contents[2].parts.filter((p: Obj) => p.functionResponse)).toHaveLength(2);
  });
  it('edge 03: interleaved OpenAI tool deltas become sequential, never-interleaved Anthropic blocks', () => {
    const upstream = sseOf(
      [
        chatChunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'a', arguments: '{"x":' } }] }),
        chatChunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'b', arguments: '{"y":' } }] }),
        chatChunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
        chatChunk({ tool_calls: [{ index: 1, function: { arguments: '2}' } }] }),
        chatChunk({}, 'tool_calls'),
        '[DONE]',
      ],
      false,
    );
    const s = readClientStream('anthropic', stream('openai-chat', 'anthropic', upstream));
    expect(s.toolCalls.map((t) => [t.name, t.args])).toEqual([
      ['a', { x: 1 }],
      ['b', { y: 2 }],
    ]);
  });
  it('edge 03: orphan tool results (no matching tool_use in the previous turn) become text, not a 400', () => {
    const out = convertRequest(
      'openai-chat',
      'anthropic',
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'q' },
          { role: 'tool', tool_call_id: 'ghost', content: 'r' },
        ],
      },
      ctx(),
    ) as Obj;
    expect(out.messages[0].content).toEqual([
      { type: 'text', text: '[tool result ghost] r' },
      { type: 'text', text: 'q' },
    ]);
  });
});

describe('§10.4 / §10.7 consecutive same-role messages, empty content, Gemini roles', () => {
  const body = {
    model: 'm',
    messages: [
      { role: 'assistant', content: 'I start.' },
      { role: 'user', content: 'a' },
      { role: 'user', content: '' },
      { role: 'user', content: [{ type: 'text', text: 'b' }] },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: 'c' },
      { role: 'user', content: 'd' },
    ],
  };
  it('edge 04: Anthropic gets merged turns, no empty text blocks, and a leading user turn', () => {
    const out = convertRequest('openai-chat', 'anthropic', body, ctx()) as Obj;
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: '...' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'I start.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
      { role: 'user', content: [{ type: 'text', text: 'd' }] },
    ]);
  });
  it('edge 04/07: Gemini gets alternating user/model turns, no empty parts, no system role', () => {
    const out = convertRequest('openai-chat', 'gemini', { ...body, messages: [{ role: 'system', content: 's' }, ...body.messages] }, ctx()) as Obj;
    expect(out.contents.map((c: Obj) => c.role)).toEqual(['model', 'user', 'model', 'user']);
    for (const c of out.contents) {
      expect(c.parts.length).toBeGreaterThan(0);
      for (const p of c.parts) if ('text' in p) expect(p.text).not.toBe('');
    }
    expect(out.systemInstruction).toEqual({ parts: [{ text: 's' }] });
  });
  it('edge 07: Gemini tool results are role user, assistant is model', () => {
    const out = convertRequest('openai-chat', 'gemini', fixtureJson('openai-chat/request-full.json'), ctx()) as Obj;
    expect(out.contents.map((c: Obj) => c.role)).toEqual(['user', 'model', 'user']);
  });
});

describe('§10.5 Anthropic requires max_tokens', () => {
  it('edge 05: defaulted to 4096 when the client gave none', () => {
    const out = convertRequest('openai-chat', 'anthropic', { model: 'm', messages: [{ role: 'user', content: 'q' }] }, ctx()) as Obj;
    expect(out.max_tokens).toBe(4096);
  });
  it('edge 05: with thinking, max_tokens stays above budget_tokens', () => {
    const out = convertRequest(
      'openai-chat',
      'anthropic',
      { model: 'm', messages: [{ role: 'user', content: 'q' }], max_tokens: 1000, reasoning_effort: 'high' },
      ctx(),
    ) as Obj;
    expect(out.thinking.budget_tokens).toBeGreaterThanOrEqual(1024);
    expect(out.max_tokens).toBeGreaterThan(out.thinking.budget_tokens);
  });
});

describe('§10.6 image data URLs and remote URLs', () => {
  const body = {
    model: 'm',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklGRg==' } },
          { type: 'image_url', image_url: { url: 'https://x.test/a.png' } },
          { type: 'image_url', image_url: { url: 'data:application/pdf;base64,JVBERi0=' } },
        ],
      },
    ],
  };
  it('edge 06: Anthropic base64 / url sources, PDF → document', () => {
    const out = convertRequest('openai-chat', 'anthropic', body, ctx()) as Obj;
    expect(out.messages[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
      { type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
    ]);
  });
  it('edge 06: Gemini inlineData for data URLs, fileData for remote URLs', () => {
    const out = convertRequest('openai-chat', 'gemini', body, ctx()) as Obj;
    expect(out.contents[0].parts).toEqual([
      { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } },
      { fileData: { mimeType: 'image/png', fileUri: 'https://x.test/a.png' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
  });
  it('edge 06: reverse direction builds data URLs (Anthropic/Gemini → OpenAI)', () => {
    const out = convertRequest(
      'gemini',
      'openai-chat',
      { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: 'AAA=' } }] }] },
      ctx(),
    ) as Obj;
    expect(out.messages[0].content).toEqual([{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAA=' } }]);
  });
  it('edge 06: unsupported image types for Anthropic are a clear 400', () => {
    expect(() =>
      convertRequest(
        'openai-chat',
        'anthropic',
        { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/heic;base64,AAA=' } }] }] },
        ctx(),
      ),
    ).toThrow(/image\/heic/);
  });
});

describe('§10.8 thinking / reasoning content', () => {
  it('edge 08: Anthropic thinking → OpenAI reasoning_content + thinking_blocks (stream)', () => {
    const s = readClientStream('openai-chat', stream('anthropic', 'openai-chat', fixtureText('anthropic/stream-thinking.sse')));
    expect(s.thinking).toBe('I’m working through the Euclidean algorithm…'.replace('’', "'"));
    expect(s.signatures).toEqual(['EsECCokBCBAYAipA9i3H', 'EmwKAhgBEgy3va3pzix']);
  });
  it('edge 08: OpenAI reasoning_content deltas → an Anthropic thinking block before the text block', () => {
    const out = stream('openai-chat', 'anthropic', fixtureText('openai-chat/stream-reasoning.sse'));
    expect(out.indexOf('"type":"thinking"')).toBeLessThan(out.indexOf('"type":"text"'));
    expect(readClientStream('anthropic', out).thinking).toBe('Two plus two is four.');
  });
  it('edge 08: thinking blocks are stripped when the Anthropic request has thinking disabled', () => {
    const out = convertRequest(
      'openai-chat',
      'anthropic',
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a', thinking_blocks: [{ type: 'thinking', thinking: 't', signature: 's' }] },
          { role: 'user', content: 'q2' },
        ],
      },
      ctx(),
    ) as Obj;
    expect(JSON.stringify(out.messages)).not.toContain('thinking');
  });
  it('edge 08: reasoning_effort → Gemini thinkingConfig (budget on 2.5, level on 3)', () => {
    const b = { model: 'm', messages: [{ role: 'user', content: 'q' }], reasoning_effort: 'low' };
    expect((convertRequest('openai-chat', 'gemini', b, ctx('gemini-2.5-flash')) as Obj).generationConfig.thinkingConfig).toEqual({
      thinkingBudget: 1024,
      includeThoughts: true,
    });
    expect((convertRequest('openai-chat', 'gemini', b, ctx('gemini-3-pro-preview')) as Obj).generationConfig.thinkingConfig).toEqual({
      thinkingLevel: 'LOW',
      includeThoughts: true,
    });
  });
});

describe('§10.9 cache_control and the seed <cache> marker', () => {
  const body = {
    model: 'm',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'Long policy', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
      { role: 'user', content: 'Question <cache>with marker' },
    ],
    tools: [{ type: 'function', function: { name: 'f' }, cache_control: { type: 'ephemeral' } }],
  };
  it('edge 09: forwarded to Anthropic with ttl kept; <cache> becomes a breakpoint on that block', () => {
    const out = convertRequest('openai-chat', 'anthropic', body, ctx()) as Obj;
    expect(out.system).toEqual([{ type: 'text', text: 'Long policy', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    expect(out.messages[0].content).toEqual([{ type: 'text', text: 'Question with marker', cache_control: { type: 'ephemeral' } }]);
    expect(out.tools[0].cache_control).toEqual({ type: 'ephemeral' });
  });
  for (const to of ['openai-chat', 'gemini', 'openai-responses'] as const) {
    it(`edge 09: <cache> marker just removed for ${to}`, () => {
      const out = JSON.stringify(convertRequest('openai-chat', to, body, ctx()));
      expect(out).not.toContain('<cache>');
      expect(out).toContain('Question with marker');
      if (to !== 'openai-chat') expect(out).not.toContain('cache_control');
    });
  }
  it('edge 09: Anthropic identity turns a <cache> marker into cache_control on that block', () => {
    const out = convertRequest(
      'anthropic',
      'anthropic',
      { model: 'm', max_tokens: 5, system: 'Policy <cache>', messages: [{ role: 'user', content: [{ type: 'text', text: 'x<cache>' }] }] },
      ctx(),
    ) as Obj;
    expect(out.system).toEqual([{ type: 'text', text: 'Policy ', cache_control: { type: 'ephemeral' } }]);
    expect(out.messages[0].content).toEqual([{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }]);
  });
  it('edge 09: at most 4 breakpoints reach Anthropic (the last ones kept)', () => {
    const msgs = Array.from({ length: 6 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}<cache>` }));
    const out = convertRequest('openai-chat', 'anthropic', { model: 'm', messages: msgs }, ctx()) as Obj;
    const marked = (out.messages as Obj[]).filter((m) => m.content[0].cache_control);
    expect(marked.map((m) => m.content[0].text)).toEqual(['m2', 'm3', 'm4', 'm5']);
  });
  it('edge 09: Anthropic cache reads/writes are added into OpenAI prompt_tokens', () => {
    const s = readClientStream('openai-chat', stream('anthropic', 'openai-chat', fixtureText('anthropic/stream-parallel-tools.sse')));
    expect(s.usage).toEqual({ promptTokens: 1220, completionTokens: 61, cacheReadTokens: 1000, cacheWriteTokens: 200, reasoningTokens: 0 });
  });
});

describe('§10.10 finish-reason inference for Gemini tool calls', () => {
  for (const to of ['openai-chat', 'anthropic', 'openai-responses'] as const) {
    it(`edge 10: STOP + functionCall → tool calls for ${to}, exactly one finish`, () => {
      const s = readClientStream(to, stream('gemini', to, fixtureText('gemini/stream-function-call.sse')));
      expect(s.finish).toBe('tool_calls');
    });
  }
  it('edge 10: non-stream too', () => {
    const out = convertResponse('gemini', 'anthropic', fixtureJson('gemini/response-function-call.json'), ctx()) as Obj;
    expect(out.stop_reason).toBe('tool_use');
  });
});

describe('§10.11 usage while streaming', () => {
  it('edge 11: include_usage is forced upstream for OpenAI chat', () => {
    const out = convertRequest(
      'anthropic',
      'openai-chat',
      { model: 'm', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'q' }] },
      ctx('gpt-4o', true),
    ) as Obj;
    expect(out.stream_options).toEqual({ include_usage: true });
  });
  it('edge 11: Anthropic message_delta waits for the OpenAI usage chunk that follows finish_reason', () => {
    const out = stream('openai-chat', 'anthropic', fixtureText('openai-chat/stream-text.sse'));
    const md = JSON.parse(out.split('event: message_delta\ndata: ')[1].split('\n')[0]) as Obj;
    expect(md.usage.output_tokens).toBe(300);
    expect(md.usage.input_tokens).toBe(16);
  });
  it('edge 11: Gemini cumulative usageMetadata is replaced, never summed', () => {
    const t = createStreamTranslator('gemini', 'openai-chat', ctx('m', true));
    t.push(fixtureText('gemini/stream-text.sse'));
    t.end();
    expect(t.usage?.completionTokens).toBe(23 + 185);
  });
  it('edge 11: no usage from upstream → translator.usage is null and outputText is there for the tokenizer', () => {
    const t = createStreamTranslator('openai-chat', 'anthropic', ctx('m', true));
    const sse = fixtureText('openai-chat/stream-text.sse').replace(/data: \{[^\n]*"choices":\[\],"usage"[^\n]*\n\n/, '');
    t.push(sse);
    t.end();
    expect(t.usage).toBeNull();
    expect(t.outputText).toBe('Hello world');
  });
});

describe('§10.12 tool-call ids', () => {
  it('edge 12: Gemini calls get synthesized unique ids; results map back by name', () => {
    const s = readClientStream('openai-chat', stream('gemini', 'openai-chat', fixtureText('gemini/stream-function-call.sse')));
    const ids = s.toolCalls.map((t) => decodeToolCallId(t.id).id);
    expect(new Set(ids).size).toBe(2);
    const back = convertRequest(
      'openai-chat',
      'gemini',
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: null,
            tool_calls: s.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: JSON.stringify(t.args) } })),
          },
          { role: 'tool', tool_call_id: s.toolCalls[1].id, content: 'late' },
          { role: 'tool', tool_call_id: s.toolCalls[0].id, content: 'sunny' },
        ],
      },
      ctx('gemini-3-pro-preview'),
    ) as Obj;
    expect(back.contents[2].parts.map((p: Obj) => p.functionResponse.name)).toEqual(['time', 'weather']);
    expect(back.contents[1].parts[0].thoughtSignature).toBe('EqUCCqICAb4+');
  });
  it('edge 12: Gemini client history without ids pairs functionResponse with the right call', () => {
    const out = convertRequest(
      'gemini',
      'anthropic',
      {
        contents: [
          { role: 'user', parts: [{ text: 'q' }] },
          { role: 'model', parts: [{ functionCall: { name: 'a', args: {} } }, { functionCall: { name: 'b', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'b', response: { r: 2 } } }, { functionResponse: { name: 'a', response: { r: 1 } } }] },
        ],
      },
      ctx(),
    ) as Obj;
    const uses = out.messages[1].content as Obj[];
    const results = out.messages[2].content as Obj[];
    expect(results[0].tool_use_id).toBe(uses[1].id);
    expect(results[1].tool_use_id).toBe(uses[0].id);
  });
  it('edge 12: Anthropic tool_result.tool_use_id survives to OpenAI tool_call_id', () => {
    const out = convertRequest('anthropic', 'openai-chat', fixtureJson('anthropic/request-full.json'), ctx()) as Obj;
    expect(out.messages[3].tool_call_id).toBe('toolu_01A');
  });
});

describe('§10.13 tool results with non-text content', () => {
  it('edge 13: images in an Anthropic tool_result move to a user message for OpenAI', () => {
    const out = convertRequest('anthropic', 'openai-chat', fixtureJson('anthropic/request-full.json'), ctx()) as Obj;
    expect(out.messages[3].content).toBe('21C, sunny');
    expect(out.messages[4].content[0].type).toBe('image_url');
  });
  it('edge 13: Gemini functionResponse.response is always an object', () => {
    const out = convertRequest(
      'openai-chat',
      'gemini',
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c', content: '[1,2]' },
        ],
      },
      ctx(),
    ) as Obj;
    expect(out.contents[2].parts[0].functionResponse.response).toEqual({ content: '[1,2]' });
  });
});

describe('§10.14 JSON Schema dialects', () => {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    $defs: { Addr: { type: 'object', properties: { zip: { type: 'string', format: 'postal' } }, additionalProperties: false } },
    properties: {
      addr: { $ref: '#/$defs/Addr' },
      tags: { type: 'array', items: { type: ['string', 'null'] } },
      when: { type: 'string', format: 'date-time' },
      empty: { type: 'object', properties: {} },
    },
    additionalProperties: false,
    strict: true,
  };
  it('edge 14: Gemini parameters: $ref inlined, additionalProperties/$schema/format removed, nullable, empty properties dropped', () => {
    const out = convertRequest(
      'openai-chat',
      'gemini',
      { model: 'm', messages: [{ role: 'user', content: 'q' }], tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] },
      ctx(),
    ) as Obj;
    expect(out.tools[0].functionDeclarations[0].parameters).toEqual({
      type: 'object',
      properties: {
        addr: { type: 'object', properties: { zip: { type: 'string' } } },
        tags: { type: 'array', items: { type: 'string', nullable: true } },
        when: { type: 'string', format: 'date-time' },
        empty: { type: 'object' },
      },
    });
  });
  it('edge 14: Anthropic input_schema is a top-level object without root anyOf', () => {
    const out = convertRequest(
      'openai-chat',
      'anthropic',
      {
        model: 'm',
        messages: [{ role: 'user', content: 'q' }],
        tools: [
          { type: 'function', function: { name: 'f', parameters: { anyOf: [{ type: 'object' }, { type: 'string' }] } } },
          { type: 'function', function: { name: 'g' } },
        ],
      },
      ctx(),
    ) as Obj;
    expect(out.tools[0].input_schema).toEqual({ type: 'object', properties: {} });
    expect(out.tools[1].input_schema).toEqual({ type: 'object', properties: {} });
  });
});

describe('§10.15 stop sequences', () => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'q' }], stop: ['a', ' ', 'b', 'c', 'd', 'e', 'f'] };
  it('edge 15: Anthropic drops whitespace-only entries', () => {
    expect((convertRequest('openai-chat', 'anthropic', body, ctx()) as Obj).stop_sequences).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
  it('edge 15: Gemini gets at most 5, OpenAI at most 4', () => {
    expect((convertRequest('openai-chat', 'gemini', body, ctx()) as Obj).generationConfig.stopSequences).toHaveLength(5);
    expect(
      (
        convertRequest(
          'anthropic',
          'openai-chat',
          { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'q' }], stop_sequences: ['1', '2', '3', '4', '5'] },
          ctx(),
        ) as Obj
      ).stop,
    ).toEqual(['1', '2', '3', '4']);
  });
});

describe('§10.16 n > 1', () => {
  it('edge 16: rejected with 400 for Anthropic, candidateCount for Gemini', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'q' }], n: 2 };
    try {
      convertRequest('openai-chat', 'anthropic', body, ctx());
      throw new Error('expected a ProtocolError');
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      expect((e as ProtocolError).status).toBe(400);
      expect((e as ProtocolError).param).toBe('n');
    }
    expect((convertRequest('openai-chat', 'gemini', body, ctx()) as Obj).generationConfig.candidateCount).toBe(2);
  });
});

describe('§10.17 refusals', () => {
  it('edge 17: Anthropic stop_reason refusal → OpenAI content_filter', () => {
    const out = convertResponse('anthropic', 'openai-chat', { ...fixtureJson('anthropic/response-text.json'), stop_reason: 'refusal' }, ctx()) as Obj;
    expect(out.choices[0].finish_reason).toBe('content_filter');
  });
  it('edge 17: Gemini promptFeedback.blockReason without candidates → content_filter / refusal (non-stream and stream)', () => {
    const blocked = fixtureJson('gemini/response-prompt-blocked.json');
    expect((convertResponse('gemini', 'openai-chat', blocked, ctx()) as Obj).choices[0].finish_reason).toBe('content_filter');
    expect((convertResponse('gemini', 'anthropic', blocked, ctx()) as Obj).stop_reason).toBe('refusal');
    const s = readClientStream('openai-chat', stream('gemini', 'openai-chat', `data: ${JSON.stringify(blocked)}\r\n\r\n`));
    expect(s.finish).toBe('content_filter');
  });
});

describe('§10.18 JSON mode on Anthropic', () => {
  it('edge 18: json_schema → native output_config.format, no forced tool', () => {
    const out = convertRequest(
      'openai-chat',
      'anthropic',
      {
        model: 'm',
        messages: [{ role: 'user', content: 'q' }],
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      },
      ctx(),
    ) as Obj;
    expect(out.output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object' } } });
    expect(out.tools).toBeUndefined();
    expect(out.tool_choice).toBeUndefined();
  });
  it('edge 18: json_object → a system instruction (no native JSON-object mode); Gemini responseMimeType', () => {
    const b = { model: 'm', messages: [{ role: 'user', content: 'q' }], response_format: { type: 'json_object' } };
    expect(JSON.stringify((convertRequest('openai-chat', 'anthropic', b, ctx()) as Obj).system)).toContain('JSON object');
    expect((convertRequest('openai-chat', 'gemini', b, ctx()) as Obj).generationConfig).toEqual({ responseMimeType: 'application/json' });
  });
});

describe('§10.19 temperature range and deprecations', () => {
  const b = { model: 'm', messages: [{ role: 'user', content: 'q' }], temperature: 1.7, top_p: 0.5 };
  it('edge 19: clamped to 1 for Anthropic, top_p not combined with temperature', () => {
    const out = convertRequest('openai-chat', 'anthropic', b, ctx('claude-sonnet-4-5-20250929')) as Obj;
    expect(out.temperature).toBe(1);
    expect(out.top_p).toBeUndefined();
  });
  it('edge 19: models newer than Opus 4.6 accept only 1.0: other values dropped', () => {
    const out = convertRequest('openai-chat', 'anthropic', { ...b, temperature: 0.2 }, ctx('claude-opus-4-7')) as Obj;
    expect(out.temperature).toBeUndefined();
    expect(out.top_p).toBeUndefined();
  });
  it('edge 19: Gemini keeps 0–2', () => {
    expect((convertRequest('openai-chat', 'gemini', b, ctx()) as Obj).generationConfig.temperature).toBe(1.7);
  });
});

describe('§10.20 developer role', () => {
  for (const to of ['anthropic', 'gemini', 'openai-responses'] as const) {
    it(`edge 20: developer is treated like system for ${to}`, () => {
      const out = JSON.stringify(
        convertRequest(
          'openai-chat',
          to,
          {
            model: 'm',
            messages: [
              { role: 'developer', content: 'Dev rules.' },
              { role: 'user', content: 'q' },
            ],
          },
          ctx(),
        ),
      );
      expect(out).toMatch(/"(system|instructions)":"Dev rules\."|"systemInstruction":\{"parts":\[\{"text":"Dev rules\."\}\]\}/);
    });
  }
});

describe('§9.3 mid-conversation system messages (chosen: hoisted into the system prompt, in order)', () => {
  const b = {
    model: 'm',
    messages: [
      { role: 'system', content: 'A' },
      { role: 'user', content: 'q' },
      { role: 'system', content: 'B' },
      { role: 'user', content: 'q2' },
    ],
  };
  it('Anthropic: both in top-level system, user turns merged', () => {
    const out = convertRequest('openai-chat', 'anthropic', b, ctx()) as Obj;
    expect(out.system).toEqual([
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
    ]);
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'q' },
          { type: 'text', text: 'q2' },
        ],
      },
    ]);
  });
  it('Gemini: both in systemInstruction', () => {
    expect((convertRequest('openai-chat', 'gemini', b, ctx()) as Obj).systemInstruction).toEqual({ parts: [{ text: 'A' }, { text: 'B' }] });
  });
  it('Anthropic 2026-10-21 system turns inside messages are hoisted for other upstreams', () => {
    const out = convertRequest(
      'anthropic',
      'openai-chat',
      {
        model: 'm',
        max_tokens: 5,
        messages: [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'q' },
        ],
      },
      ctx(),
    ) as Obj;
    expect(out.messages[0]).toEqual({ role: 'system', content: 'S' });
  });
});

describe('§10.21 stream terminators', () => {
  const up = fixtureText('anthropic/stream-text.sse');
  it('edge 21: [DONE] only on Chat Completions streams', () => {
    expect(stream('anthropic', 'openai-chat', up).endsWith('data: [DONE]\n\n')).toBe(true);
    for (const to of ['openai-responses', 'gemini'] as const) expect(stream('anthropic', to, up)).not.toContain('[DONE]');
    expect(stream('openai-chat', 'anthropic', fixtureText('openai-chat/stream-text.sse'))).not.toContain('[DONE]');
  });
  it('edge 21: every Gemini event ends with a blank line (\\r\\n\\r\\n), no event: lines', () => {
    const out = stream('anthropic', 'gemini', up);
    expect(out.endsWith('\r\n\r\n')).toBe(true);
    expect(out).not.toMatch(/^event:/m);
    for (const frame of out.split('\r\n\r\n').filter(Boolean)) expect(frame).toMatch(/^data: \{[^\r\n]*\}$/);
  });
});

describe('§10.22 embeddings default to base64 (openai-node)', () => {
  it('edge 22: a Gemini upstream answers floats; a base64 client gets little-endian float32 base64', () => {
    const c = ctx('gemini-embedding-001', false, { clientBody: fixtureJson('embeddings/openai-request.json') });
    const out = convertResponse('gemini', 'openai-embeddings', fixtureJson('embeddings/gemini-batch-response.json'), c) as Obj;
    expect(typeof out.data[0].embedding).toBe('string');
    const floats = base64ToFloats(out.data[0].embedding as string);
    expect(floats[0]).toBeCloseTo(0.0023, 6);
    expect(floats[2]).toBeCloseTo(0.5, 6);
    expect(out.usage.prompt_tokens).toBeGreaterThan(0);
  });
});

describe('§10.23 model name forms', () => {
  it('edge 23: split on the LAST colon; models/ prefix optional; dots and dashes kept', () => {
    expect(parseGeminiModelAction('gemini-2.5-flash:streamGenerateContent')).toEqual({ model: 'gemini-2.5-flash', action: 'streamGenerateContent' });
    expect(parseGeminiModelAction('models/gemini-3-pro-preview:generateContent')).toEqual({ model: 'gemini-3-pro-preview', action: 'generateContent' });
    expect(parseGeminiModelAction('tunedModels/my:model-1.0:countTokens')).toEqual({ model: 'tunedModels/my:model-1.0', action: 'countTokens' });
    expect(parseGeminiModelAction('gemini-2.5-flash')).toEqual({ model: 'gemini-2.5-flash', action: null });
  });
  it('edge 23: upstream model given with or without models/ works for batch embeddings', () => {
    for (const m of ['gemini-embedding-001', 'models/gemini-embedding-001']) {
      const out = convertRequest('openai-embeddings', 'gemini', { model: 'x', input: 'hi' }, ctx(m)) as Obj;
      expect(out.requests[0].model).toBe('models/gemini-embedding-001');
    }
  });
});

describe('§10.24 empty assistant content with tool calls', () => {
  const b = {
    model: 'm',
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'r' },
    ],
  };
  it('edge 24: no empty Anthropic text block, no empty Gemini text part', () => {
    expect((convertRequest('openai-chat', 'anthropic', b, ctx()) as Obj).messages[1].content).toEqual([{ type: 'tool_use', id: 'c', name: 'f', input: {} }]);
    expect((convertRequest('openai-chat', 'gemini', b, ctx()) as Obj).contents[1].parts).toEqual([{ functionCall: { name: 'f', args: {} } }]);
  });
  it('edge 24: Anthropic tool_use-only message → OpenAI content null', () => {
    const out = convertResponse(
      'anthropic',
      'openai-chat',
      { ...fixtureJson('anthropic/response-tool-use.json'), content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
      ctx(),
    ) as Obj;
    expect(out.choices[0].message.content).toBeNull();
  });
});

describe('§10.25 Gemini 3 thought signatures', () => {
  it('edge 25: the trailing {"text":"","thoughtSignature"} part yields no empty content delta', () => {
    const out = stream('gemini', 'openai-chat', fixtureText('gemini/stream-text.sse'));
    expect(out).not.toContain(
      '"content":""}},"logprobs":null,"finish_reason":null}]}\n\ndata: {"id":"chatcmpl-reqedge","object":"chat.completion.chunk","created":1,"model":"client-model","choices":[{"index":0,"delta":{},',
    );
    const contentDeltas = out.split('\n\n').filter((f) => f.includes('"delta":{"content"'));
    expect(contentDeltas.every((f) => !f.includes('"delta":{"content":""}'))).toBe(true);
  });
  it('edge 25: replayed calls without a known signature get the documented dummy on Gemini 3 only', () => {
    const b = {
      model: 'm',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c', content: 'r' },
      ],
    };
    expect((convertRequest('openai-chat', 'gemini', b, ctx('gemini-3-pro-preview')) as Obj).contents[1].parts[0].thoughtSignature).toBe(
      GEMINI_DUMMY_THOUGHT_SIGNATURE,
    );
    expect((convertRequest('openai-chat', 'gemini', b, ctx('gemini-2.5-flash')) as Obj).contents[1].parts[0].thoughtSignature).toBeUndefined();
  });
  it('edge 25: a Gemini client keeps the signature on its functionCall part (stream, from Gemini via another client format)', () => {
    const s = readClientStream(
      'gemini',
      stream(
        'openai-chat',
        'gemini',
        sseOf(
          [
            chatChunk({
              role: 'assistant',
              tool_calls: [
                { index: 0, id: 'call_1__sbts__' + Buffer.from('SIG').toString('base64url'), type: 'function', function: { name: 'f', arguments: '{}' } },
              ],
            }),
            chatChunk({}, 'tool_calls'),
            '[DONE]',
          ],
          false,
        ),
      ),
    );
    expect(s.toolCalls[0]).toEqual({ id: 'call_1', name: 'f', args: {}, thoughtSignature: 'SIG' });
  });
});

describe('seed integration rules (seeds/000)', () => {
  it('audio/file extension by media type', () => {
    expect(fileExtensionForMediaType('audio/mpeg')).toBe('mp3');
    expect(fileExtensionForMediaType('audio/wav')).toBe('wav');
    expect(fileExtensionForMediaType('audio/flac')).toBe('flac');
    expect(fileExtensionForMediaType('application/octet-stream')).toBe('bin');
    expect(fileExtensionForMediaType('audio/ogg')).toBe('bin');
  });
  it('Gemini audio → OpenAI input_audio format from the media type; files get file.<ext>', () => {
    const out = convertRequest(
      'gemini',
      'openai-chat',
      {
        contents: [
          {
            role: 'user',
            parts: [
              { inlineData: { mimeType: 'audio/wav', data: 'UklG' } },
              { inlineData: { mimeType: 'audio/flac', data: 'ZkxhQw==' } },
              { inlineData: { mimeType: 'application/octet-stream', data: 'AAAA' } },
            ],
          },
        ],
      },
      ctx(),
    ) as Obj;
    expect(out.messages[0].content).toEqual([
      { type: 'input_audio', input_audio: { data: 'UklG', format: 'wav' } },
      { type: 'input_audio', input_audio: { data: 'ZkxhQw==', format: 'flac' } },
      { type: 'file', file: { file_data: 'data:application/octet-stream;base64,AAAA', filename: 'file.bin' } },
    ]);
  });
});
