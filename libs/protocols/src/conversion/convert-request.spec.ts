import { decodeToolCallId, encodeToolCallId, GEMINI_DUMMY_THOUGHT_SIGNATURE, unpackReasoning } from '../core/ids.util';
import type { IrRequest } from '../core/ir.types';
import type { JsonObject } from '../core/json.util';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import { fixtureJson } from '../testing/fixtures.loader';
import { convertRequest } from './convert-request';
import { decodeRequest } from './request-codecs';

const CHAT: WireProtocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const FULL: Record<string, string> = {
  'openai-chat': 'openai-chat/request-full.json',
  'openai-responses': 'openai-responses/request-full.json',
  anthropic: 'anthropic/request-full.json',
  gemini: 'gemini/request-full.json',
};

function ctx(upstreamModel = 'up-model', stream = true): ConvertContext {
  return { upstreamModel, requestedModel: 'client-model', stream, requestId: 'req-1' };
}

type Obj = Record<string, any>; // test-only convenience for deep property access

describe('openai-chat client → upstreams (full fixture)', () => {
  const body = fixtureJson('openai-chat/request-full.json');

  it('→ anthropic', () => {
    const out = convertRequest('openai-chat', 'anthropic', body, ctx('claude-sonnet-4-5-20250929')) as Obj;
    expect(out.model).toBe('claude-sonnet-4-5-20250929');
    expect(out.stream).toBe(true);
    expect(out.max_tokens).toBe(500);
    expect(out.system).toEqual([
      { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Use metric units.' },
    ]);
    expect(out.messages.map((m: Obj) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(out.messages[0].content).toEqual([
      { type: 'text', text: "What's the weather in Paris, and the time?" },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
    expect(out.messages[1].content).toEqual([
      { type: 'tool_use', id: 'call_A', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_B', name: 'get_time', input: {} },
    ]);
    expect(out.messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'call_A', content: '{"temp":21}' },
      { type: 'tool_result', tool_use_id: 'call_B', content: '14:00' },
      { type: 'text', text: 'Thanks!' },
    ]);
    expect(out.tools[0]).toEqual({
      name: 'get_weather',
      description: 'Current weather',
      input_schema: expect.objectContaining({ type: 'object', required: ['city'] }),
    });
    expect(out.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(out.temperature).toBe(0.7);
    expect(out.top_p).toBeUndefined();
    expect(out.stop_sequences).toEqual(['END']);
    expect(out.metadata).toEqual({ user_id: 'user-123' });
    expect(out.stream_options).toBeUndefined();
  });

  it('→ gemini', () => {
    const out = convertRequest('openai-chat', 'gemini', body, ctx('gemini-3-pro-preview')) as Obj;
    expect(out.model).toBeUndefined();
    expect(out.stream).toBeUndefined();
    expect(out.systemInstruction).toEqual({ parts: [{ text: 'You are terse.' }, { text: 'Use metric units.' }] });
    expect(out.contents.map((c: Obj) => c.role)).toEqual(['user', 'model', 'user']);
    expect(out.contents[0].parts).toEqual([
      { text: "What's the weather in Paris, and the time?" },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } },
    ]);
    expect(out.contents[1].parts).toEqual([
      { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: GEMINI_DUMMY_THOUGHT_SIGNATURE },
      { functionCall: { name: 'get_time', args: {} } },
    ]);
    expect(out.contents[2].parts).toEqual([
      { functionResponse: { name: 'get_weather', response: { temp: 21 } } },
      { functionResponse: { name: 'get_time', response: { content: '14:00' } } },
      { text: 'Thanks!' },
    ]);
    const decl = out.tools[0].functionDeclarations;
    expect(decl[0].parameters).toEqual({
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', nullable: true, enum: ['c', 'f'] } },
      required: ['city'],
    });
    expect(decl[1].parameters).toBeUndefined();
    expect(out.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(out.generationConfig).toEqual({ temperature: 0.7, topP: 0.9, maxOutputTokens: 500, stopSequences: ['END', '  '] });
  });

  it('→ openai-responses', () => {
    const out = convertRequest('openai-chat', 'openai-responses', body, ctx('gpt-5.1')) as Obj;
    expect(out.model).toBe('gpt-5.1');
    expect(out.instructions).toBe('You are terse.\n\nUse metric units.');
    expect(out.stream).toBe(true);
    expect(out.store).toBe(false);
    expect(out.input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: "What's the weather in Paris, and the time?" },
          { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' },
          { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'auto' },
        ],
      },
      { type: 'function_call', call_id: 'call_A', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call', call_id: 'call_B', name: 'get_time', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_A', output: '{"temp":21}' },
      { type: 'function_call_output', call_id: 'call_B', output: '14:00' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Thanks!' }] },
    ]);
    expect(out.tools[0]).toEqual(expect.objectContaining({ type: 'function', name: 'get_weather', strict: false }));
    expect(out.tool_choice).toBe('auto');
    expect(out.parallel_tool_calls).toBe(false);
    expect(out.max_output_tokens).toBe(500);
  });

  it('→ openai-chat (identity): model replaced, <cache> marker removed, rest untouched', () => {
    const out = convertRequest('openai-chat', 'openai-chat', body, ctx('gpt-4o-2024-08-06')) as Obj;
    expect(out.model).toBe('gpt-4o-2024-08-06');
    expect(out.messages[0].content).toBe('You are terse.');
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- not unnecessary: Obj has `any` values, body `unknown` ones
    expect(out.messages.slice(1)).toEqual((body as Obj).messages.slice(1));
    expect(out.stream_options).toEqual({ include_usage: true });
    expect(body['model']).toBe('gpt-4o'); // input not mutated
  });

  it('non-stream chat → chat drops stream_options (only valid with stream: true)', () => {
    const out = convertRequest('openai-chat', 'openai-chat', { ...body, stream: false }, ctx('gpt-4o', false)) as Obj;
    expect(out.stream).toBeUndefined();
    expect(out.stream_options).toBeUndefined();
  });
});

describe('media parts from an OpenAI chat client', () => {
  const body = fixtureJson('openai-chat/request-media.json');
  it('→ gemini: audio and PDFs become inlineData', () => {
    const out = convertRequest('openai-chat', 'gemini', body, ctx('gemini-2.5-flash')) as Obj;
    expect(out.contents[0].parts.slice(1)).toEqual([
      { inlineData: { mimeType: 'audio/mpeg', data: 'SUQzBAAAAAAA' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0xLjQK' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0xLjQK' } },
    ]);
  });
  it('→ anthropic: audio is refused with a clear 400', () => {
    expect(() => convertRequest('openai-chat', 'anthropic', body, ctx('claude-sonnet-4-5'))).toThrow(ProtocolError);
  });
  it('→ anthropic: PDFs become document blocks', () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- not unnecessary: Obj has `any` values, body `unknown` ones
    const b = { ...body, messages: [{ role: 'user', content: ((body as Obj).messages[0].content as Obj[]).filter((p) => p.type !== 'input_audio') }] };
    const out = convertRequest('openai-chat', 'anthropic', b, ctx('claude-sonnet-4-5')) as Obj;
    expect(out.messages[0].content[1]).toEqual({
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' },
      title: 'report.pdf',
    });
  });
  it('→ responses: file parts carry a filename with the media type extension', () => {
    const out = convertRequest('openai-chat', 'openai-responses', body, ctx('gpt-5')) as Obj;
    const content = out.input[0].content as Obj[];
    expect(content[1]).toEqual({ type: 'input_file', file_data: 'data:audio/mpeg;base64,SUQzBAAAAAAA', filename: 'audio.mp3' });
    expect(content[2].filename).toBe('report.pdf');
  });
});

describe('anthropic client → upstreams (full fixture)', () => {
  const body = fixtureJson('anthropic/request-full.json');

  it('→ openai-chat', () => {
    const out = convertRequest('anthropic', 'openai-chat', body, ctx('deepseek-chat')) as Obj;
    expect(out.messages[0]).toEqual({ role: 'system', content: 'You are a careful assistant.' });
    expect(out.messages[1].content).toEqual([
      { type: 'text', text: 'Check the weather in Paris.' },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0xLjQK', filename: 'brief.pdf' } },
    ]);
    expect(out.messages[2]).toEqual({
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [{ id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    // tool_result images cannot live in a tool message: they move to the next user message (§9.7)
    expect(out.messages[3]).toEqual({ role: 'tool', tool_call_id: 'toolu_01A', content: '21C, sunny' });
    expect(out.messages[4]).toEqual({
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'text', text: 'And tomorrow?' },
      ],
    });
    expect(out.tools).toHaveLength(1); // the server tool web_search has no OpenAI form
    expect(out.parallel_tool_calls).toBe(false);
    expect(out.max_tokens).toBe(4096);
    // a thinking budget is only translated for models that accept reasoning_effort
    expect(out.reasoning_effort).toBeUndefined();
    expect((convertRequest('anthropic', 'openai-chat', body, ctx('o4-mini')) as Obj).reasoning_effort).toBe('medium');
    expect(out.stream_options).toEqual({ include_usage: true });
  });

  it('→ gemini', () => {
    const out = convertRequest('anthropic', 'gemini', body, ctx('gemini-2.5-pro')) as Obj;
    expect(out.systemInstruction).toEqual({ parts: [{ text: 'You are a careful assistant.' }] });
    expect(out.contents[1]).toEqual({ role: 'model', parts: [{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] });
    expect(out.contents[2].parts[0]).toEqual({ functionResponse: { name: 'get_weather', response: { content: '21C, sunny' } } });
    expect(out.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 2048, includeThoughts: true });
    expect(out.generationConfig.maxOutputTokens).toBe(4096);
    expect(out.generationConfig.stopSequences).toEqual(['###']);
  });

  it('→ openai-responses', () => {
    const out = convertRequest('anthropic', 'openai-responses', body, ctx('gpt-5')) as Obj;
    expect(out.instructions).toBe('You are a careful assistant.');
    expect(out.input.map((i: Obj) => i.type)).toEqual(['message', 'message', 'function_call', 'function_call_output', 'message']);
    expect(out.reasoning).toEqual({ effort: 'medium', summary: 'auto' });
    expect(out.include).toEqual(['reasoning.encrypted_content']);
  });

  it('→ anthropic (identity) keeps thinking signatures and server tools byte-for-byte', () => {
    const out = convertRequest('anthropic', 'anthropic', body, ctx('claude-opus-4-6')) as Obj;
    expect(out).toEqual({ ...body, model: 'claude-opus-4-6' });
  });
});

describe('gemini client → upstreams (full fixture, snake_case parts accepted)', () => {
  const body = fixtureJson('gemini/request-full.json');

  it('→ openai-chat', () => {
    const out = convertRequest('gemini', 'openai-chat', body, ctx('gpt-4o')) as Obj;
    expect(out.model).toBe('gpt-4o');
    expect(out.messages[0]).toEqual({ role: 'system', content: 'You are terse.' });
    expect(out.messages[1].content[1]).toEqual({ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } });
    const call = out.messages[2].tool_calls[0];
    expect(call.function).toEqual({ name: 'weather', arguments: '{"location":"San Francisco"}' });
    expect(out.messages[3]).toEqual({ role: 'tool', tool_call_id: call.id, content: '{"temp":18,"sky":"fog"}' });
    expect(out.messages[4]).toEqual({ role: 'assistant', content: 'It is 18C and foggy.' });
    expect(out.tool_choice).toEqual({ type: 'function', function: { name: 'weather' } });
    expect(out.tools[0].function.parameters).toEqual({ type: 'object', properties: { location: { type: ['string', 'null'] } }, required: ['location'] });
    expect(out.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema: { type: 'object', properties: { temp: { type: 'number' } } } },
    });
    expect(out.max_completion_tokens).toBe(800);
    expect(out.stop).toEqual(['END']);
    expect(out.reasoning_effort).toBeUndefined(); // gpt-4o rejects reasoning_effort
    expect((convertRequest('gemini', 'openai-chat', body, ctx('gpt-5-mini')) as Obj).reasoning_effort).toBe('low');
  });

  it('→ anthropic', () => {
    const out = convertRequest('gemini', 'anthropic', body, ctx('claude-sonnet-4-5')) as Obj;
    const toolUse = out.messages[1].content[0];
    expect(toolUse).toEqual({ type: 'tool_use', id: expect.any(String), name: 'weather', input: { location: 'San Francisco' } });
    // the Gemini thoughtSignature rides in the id, so it survives a round trip through Anthropic clients
    expect(decodeToolCallId(toolUse.id).thoughtSignature).toBeUndefined();
    expect(out.messages[2].content[0]).toEqual({ type: 'tool_result', tool_use_id: toolUse.id, content: '{"temp":18,"sky":"fog"}' });
    expect(out.tool_choice).toEqual({ type: 'tool', name: 'weather' });
    expect(out.thinking).toBeUndefined(); // a forced tool and thinking cannot be combined: the forced tool wins
    expect(out.output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object', properties: { temp: { type: 'number' } } } } });
  });

  it('→ openai-responses', () => {
    const out = convertRequest('gemini', 'openai-responses', body, ctx('gpt-5')) as Obj;
    expect(out.text.format).toEqual({ type: 'json_schema', name: 'response', schema: { type: 'object', properties: { temp: { type: 'number' } } } });
    expect(out.tool_choice).toEqual({ type: 'function', name: 'weather' });
    const fc = out.input.find((i: Obj) => i.type === 'function_call');
    const fo = out.input.find((i: Obj) => i.type === 'function_call_output');
    expect(fo.call_id).toBe(fc.call_id);
  });

  it('→ gemini (identity): body unchanged, no model in the body', () => {
    const out = convertRequest('gemini', 'gemini', { ...body, model: 'x' }, ctx('gemini-3-pro-preview'));
    expect(out).toEqual(body);
  });
});

describe('openai-responses client → upstreams (full fixture)', () => {
  const body = fixtureJson('openai-responses/request-full.json');

  it('→ openai-chat', () => {
    const out = convertRequest('openai-responses', 'openai-chat', body, ctx('gpt-4.1')) as Obj;
    expect(out.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(out.messages[1].content).toEqual([
      { type: 'text', text: 'Look up Beijing weather.' },
      { type: 'text', text: 'Also see this.' },
      { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklGRg==', detail: 'low' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0xLjQK', filename: 'a.pdf' } },
    ]);
    expect(out.messages[2].tool_calls[0]).toEqual({ id: 'call_2FQd', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Beijing"}' } });
    expect(out.messages[3]).toEqual({ role: 'tool', tool_call_id: 'call_2FQd', content: '{"temp":30}' });
    expect(out.messages[4]).toEqual({ role: 'assistant', content: 'It is 30C.' });
    expect(out.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(out.response_format.type).toBe('json_schema');
    expect(out.reasoning_effort).toBe('high');
    expect(out.max_completion_tokens).toBe(1000);
  });

  it('→ anthropic', () => {
    const out = convertRequest('openai-responses', 'anthropic', body, ctx('claude-sonnet-4-5')) as Obj;
    expect(out.system).toBe('Be brief.');
    expect(out.messages.map((m: Obj) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    // OpenAI reasoning cannot be verified by Anthropic: dropped, and forced tool choice wins over thinking
    expect(JSON.stringify(out.messages)).not.toContain('gAAAAABencrypted');
    expect(out.thinking).toBeUndefined();
    expect(out.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
  });

  it('→ gemini', () => {
    const out = convertRequest('openai-responses', 'gemini', body, ctx('gemini-2.5-flash')) as Obj;
    expect(out.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
    expect(out.generationConfig.responseMimeType).toBe('application/json');
    expect(out.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 24576, includeThoughts: true });
    expect(out.contents[2].parts[0]).toEqual({ functionResponse: { name: 'get_weather', response: { temp: 30 } } });
  });

  it('previous_response_id cannot be translated: a clear 400', () => {
    expect(() => convertRequest('openai-responses', 'anthropic', { ...body, previous_response_id: 'resp_1' }, ctx())).toThrow(/previous_response_id/);
    expect(convertRequest('openai-responses', 'openai-responses', { ...body, previous_response_id: 'resp_1' }, ctx())['previous_response_id']).toBe('resp_1');
  });

  it('→ openai-responses (identity)', () => {
    const out = convertRequest('openai-responses', 'openai-responses', body, ctx('gpt-5.1-2025-11-13'));
    expect(out).toEqual({ ...body, model: 'gpt-5.1-2025-11-13' });
  });
});

/** What a conversation means, independent of protocol. */
function meaning(ir: IrRequest): unknown {
  return {
    system: ir.system.map((s) => s.text).join('\n\n'),
    messages: ir.messages.map((m) => ({
      role: m.role,
      parts: m.parts
        .filter((p) => p.type !== 'thinking')
        .map((p) => {
          switch (p.type) {
            case 'text':
              return { text: p.text };
            case 'tool_call':
              return { call: p.name, args: JSON.parse(p.arguments || '{}') as unknown };
            case 'tool_result':
              return { result: p.content.map((c) => (c.type === 'text' ? c.text : c.type)).join('') };
            case 'image':
              return { image: p.source.kind };
            default:
              return { other: p.type };
          }
        }),
    })),
    tools: ir.tools.map((t) => t.name),
  };
}

describe('round trips: client → upstream → back keeps the conversation (12 directions)', () => {
  const simple: Record<string, JsonObject> = {
    'openai-chat': {
      model: 'm',
      messages: [
        { role: 'system', content: 'Sys.' },
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'w', arguments: '{"c":"P"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'assistant', content: 'It is sunny.' },
        { role: 'user', content: 'Thanks' },
      ],
      tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object', properties: { c: { type: 'string' } } } } }],
    },
  };
  const reference = meaning(decodeRequest('openai-chat', simple['openai-chat']));
  for (const from of CHAT) {
    for (const to of CHAT) {
      if (from === to) continue;
      it(`${from} → ${to} → ${from}`, () => {
        // express the reference conversation in `from`, then go to `to` and back
        const clientBody = from === 'openai-chat' ? simple['openai-chat'] : convertRequest('openai-chat', from, simple['openai-chat'], ctx('m', false));
        const upstream = convertRequest(from, to, clientBody, ctx('m', false));
        const back = convertRequest(to, from, upstream, ctx('m', false));
        expect(meaning(decodeRequest(from, back))).toEqual(reference);
      });
    }
  }
  for (const p of CHAT) {
    it(`full fixture of ${p} decodes without loss of turns`, () => {
      const ir = decodeRequest(p, fixtureJson(FULL[p]));
      expect(ir.messages.length).toBeGreaterThan(1);
      expect(ir.messages.every((m) => m.parts.length > 0)).toBe(true);
    });
  }
});

describe('signatures survive a round trip through other client protocols (§9.12, §10.8, §10.25)', () => {
  it('Anthropic thinking signature → OpenAI chat client (thinking_blocks) → Anthropic upstream', () => {
    const clientHistory = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'Need a tool.',
          thinking_blocks: [{ type: 'thinking', thinking: 'Need a tool.', signature: 'SIG_ANTHROPIC' }],
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'w', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'w' } }],
      reasoning_effort: 'low',
    };
    const out = convertRequest('openai-chat', 'anthropic', clientHistory, ctx('claude-sonnet-4-5')) as Obj;
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(out.messages[1].content[0]).toEqual({ type: 'thinking', thinking: 'Need a tool.', signature: 'SIG_ANTHROPIC' });
  });

  it('without a signed thinking block in the tool turn, thinking is not enabled (would be a 400)', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'w' } }],
      reasoning_effort: 'high',
    };
    const out = convertRequest('openai-chat', 'anthropic', body, ctx('claude-sonnet-4-5')) as Obj;
    expect(out.thinking).toBeUndefined();
  });

  it('Gemini functionCall thoughtSignature → OpenAI chat tool-call id → Gemini upstream', () => {
    const id = encodeToolCallId('call_x_0', 'EqUCCqICAb4+');
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'weather', arguments: '{"location":"SF"}' } }] },
        { role: 'tool', tool_call_id: id, content: '{"t":1}' },
      ],
    };
    const out = convertRequest('openai-chat', 'gemini', body, ctx('gemini-3-pro-preview')) as Obj;
    expect(out.contents[1].parts[0]).toEqual({ functionCall: { name: 'weather', args: { location: 'SF' } }, thoughtSignature: 'EqUCCqICAb4+' });
    expect(out.contents[2].parts[0]).toEqual({ functionResponse: { name: 'weather', response: { t: 1 } } });
    // the signature never leaks to other upstreams: ids are restored
    const toAnthropic = convertRequest('openai-chat', 'anthropic', body, ctx('claude-sonnet-4-5')) as Obj;
    expect(toAnthropic.messages[1].content[0].id).toBe('call_x_0');
    expect(toAnthropic.messages[2].content[0].tool_use_id).toBe('call_x_0');
  });

  it('OpenAI Responses encrypted reasoning → Anthropic client signature (packed) → Responses upstream', () => {
    const packed = 'sbx1.' + Buffer.from(JSON.stringify({ encryptedContent: 'gAAAAB', reasoningId: 'rs_9' })).toString('base64url');
    expect(unpackReasoning(packed)).toEqual({ encryptedContent: 'gAAAAB', reasoningId: 'rs_9' });
    const body = {
      model: 'm',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Tool time.', signature: packed },
            { type: 'tool_use', id: 'call_1', name: 'w', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' }] },
      ],
    };
    const out = convertRequest('anthropic', 'openai-responses', body, ctx('gpt-5')) as Obj;
    expect(out.input[1]).toEqual({ type: 'reasoning', id: 'rs_9', summary: [{ type: 'summary_text', text: 'Tool time.' }], encrypted_content: 'gAAAAB' });
  });
});
