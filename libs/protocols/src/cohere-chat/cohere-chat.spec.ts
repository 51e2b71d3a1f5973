import { extractUsage } from '../accounting/usage.extractor';
import { convertRequest } from '../conversion/convert-request';
import { convertResponse } from '../conversion/convert-response';
import { ProtocolError } from '../protocol.error';
import type { ConvertContext } from '../protocol.types';
import { fixtureJson } from '../testing/fixtures.loader';

const ctx = (stream = false): ConvertContext => ({
  upstreamModel: 'command-a-03-2025',
  requestedModel: 'cmd',
  stream,
  requestId: 'req_1',
  createdAt: 1700000000,
});

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather by city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
];

describe('cohere-chat request encoder (from an OpenAI Chat client)', () => {
  it('system first, tools, a tool round trip with the plan, images, and the sampling settings in Cohere’s names', () => {
    const body = {
      model: 'cmd',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris?' },
            { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        { role: 'user', content: 'Thanks' },
      ],
      tools: TOOLS,
      max_tokens: 300,
      temperature: 0.2,
      top_p: 1,
      stop: ['END'],
      seed: 7,
      frequency_penalty: 0.5,
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object', properties: { t: { type: 'number' } } } } },
    };
    expect(convertRequest('openai-chat', 'cohere-chat', body, ctx(true))).toEqual({
      model: 'command-a-03-2025',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris?' },
            { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          tool_plan: 'Let me check.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        { role: 'user', content: 'Thanks' },
      ],
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: TOOLS[0].function.parameters } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
      max_tokens: 300,
      temperature: 0.2,
      p: 0.99,
      stop_sequences: ['END'],
      seed: 7,
      frequency_penalty: 0.5,
      response_format: { type: 'json_object', json_schema: { type: 'object', properties: { t: { type: 'number' } } } },
    });
  });

  it('a named tool is forced by offering only it with REQUIRED; none keeps the tools with NONE', () => {
    const named = convertRequest(
      'openai-chat',
      'cohere-chat',
      { model: 'cmd', messages: [{ role: 'user', content: 'hi' }], tools: TOOLS, tool_choice: { type: 'function', function: { name: 'get_time' } } },
      ctx(),
    );
    expect([named.tool_choice, (named.tools as { function: { name: string } }[]).map((t) => t.function.name)]).toEqual(['REQUIRED', ['get_time']]);
    const none = convertRequest(
      'openai-chat',
      'cohere-chat',
      { model: 'cmd', messages: [{ role: 'user', content: 'hi' }], tools: TOOLS, tool_choice: 'none' },
      ctx(),
    );
    expect([none.tool_choice, (none.tools as unknown[]).length]).toEqual(['NONE', 2]);
  });

  it('an Anthropic client: tool_result blocks become tool messages right after the calls, an error result says so', () => {
    const body = {
      model: 'cmd',
      max_tokens: 100,
      system: 'sys',
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'down', is_error: true },
            { type: 'text', text: 'try again?' },
          ],
        },
      ],
    };
    const out = convertRequest('anthropic', 'cohere-chat', body, ctx());
    expect(out.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'Paris?' },
      { role: 'assistant', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Error: down' },
      { role: 'user', content: 'try again?' },
    ]);
  });

  it('an assistant turn holding only another vendor’s reasoning is left out (Cohere refuses empty turns)', () => {
    const body = {
      model: 'cmd',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }] },
        { role: 'user', content: 'b' },
      ],
    };
    expect(convertRequest('anthropic', 'cohere-chat', body, ctx()).messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
  });

  it('what Cohere cannot take is a 400 naming the parameter, not a silent drop', () => {
    const audio = { model: 'cmd', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] };
    expect(() => convertRequest('openai-chat', 'cohere-chat', audio, ctx())).toThrow(ProtocolError);
    expect(() => convertRequest('openai-chat', 'cohere-chat', { model: 'cmd', n: 2, messages: [{ role: 'user', content: 'hi' }] }, ctx())).toThrow(/n > 1/);
  });
});

describe('cohere-chat answers', () => {
  it('tool plan and calls reach an OpenAI client as content and tool_calls, billed units as usage', () => {
    const cohere = fixtureJson('cohere-chat/response-tools.json');
    const out = convertResponse('cohere-chat', 'openai-chat', cohere, ctx()) as {
      choices: { message: { content: string; tool_calls: unknown[] }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(out.choices[0].message.content).toBe('I will look up the weather in Paris.');
    expect(out.choices[0].message.tool_calls).toEqual([
      { id: 'get_weather_1x2y3z4w5v6u', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(out.choices[0].finish_reason).toBe('tool_calls');
    expect([out.usage.prompt_tokens, out.usage.completion_tokens]).toEqual([37, 21]);
    expect(extractUsage('cohere-chat', cohere)).toEqual({
      promptTokens: 37,
      completionTokens: 21,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('thinking and text reach an Anthropic client as blocks; tokens are the usage when no billed units came', () => {
    const cohere = fixtureJson('cohere-chat/response-text.json');
    const out = convertResponse('cohere-chat', 'anthropic', cohere, ctx()) as {
      content: { type: string }[];
      stop_reason: string;
      usage: { input_tokens: number };
    };
    expect(out.content.map((c) => c.type)).toEqual(['thinking', 'text']);
    expect(out.stop_reason).toBe('end_turn');
    expect(out.usage.input_tokens).toBe(9);
    const { billed_units: _b, ...tokensOnly } = cohere.usage as Record<string, unknown>;
    expect(extractUsage('cohere-chat', { ...cohere, usage: tokensOnly })?.promptTokens).toBe(74);
  });
});
