import type { IrResponse } from '../core/ir.types';
import type { ConvertContext, WireProtocol } from '../protocol.types';
import { fixtureJson } from '../testing/fixtures.loader';
import { decodeToolCallId } from '../core/ids.util';
import { convertResponse } from './convert-response';
import { decodeResponse } from './response-codecs';

type Obj = Record<string, any>; // test-only deep access

const CLIENTS: WireProtocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const ctx: ConvertContext = { upstreamModel: 'up', requestedModel: 'client-model', stream: false, requestId: 'req-9', createdAt: 1700000000 };

const RESPONSES: { protocol: WireProtocol; file: string }[] = [
  { protocol: 'openai-chat', file: 'openai-chat/response-text.json' },
  { protocol: 'openai-chat', file: 'openai-chat/response-tool-calls.json' },
  { protocol: 'anthropic', file: 'anthropic/response-text.json' },
  { protocol: 'anthropic', file: 'anthropic/response-tool-use.json' },
  { protocol: 'gemini', file: 'gemini/response-text.json' },
  { protocol: 'gemini', file: 'gemini/response-function-call.json' },
  { protocol: 'gemini', file: 'gemini/response-prompt-blocked.json' },
  { protocol: 'openai-responses', file: 'openai-responses/response-text.json' },
  { protocol: 'openai-responses', file: 'openai-responses/response-function-call.json' },
  { protocol: 'openai-responses', file: 'openai-responses/response-incomplete.json' },
];

function meaning(ir: IrResponse, client: WireProtocol): unknown {
  return {
    text: ir.parts.flatMap((p) => (p.type === 'text' || p.type === 'refusal' ? [p.text] : [])).join(''),
    thinking: ir.parts.flatMap((p) => (p.type === 'thinking' ? [p.text] : [])).join(''),
    calls: ir.parts.flatMap((p) => (p.type === 'tool_call' ? [{ name: p.name, args: JSON.parse(p.arguments || '{}') as unknown }] : [])),
    stop: ir.stopReason === 'stop_sequence' ? 'stop' : ir.stopReason,
    usage: ir.usage && client === 'gemini' ? { ...ir.usage, cacheWriteTokens: 0 } : ir.usage,
  };
}

describe('non-stream responses: every upstream fixture × every client protocol', () => {
  for (const r of RESPONSES) {
    const body = fixtureJson(r.file);
    for (const client of CLIENTS) {
      it(`${r.file} → ${client}`, () => {
        const out = convertResponse(r.protocol, client, body, ctx);
        if (client === r.protocol) {
          expect(out).toBe(body);
          return;
        }
        const original = decodeResponse(r.protocol, body, ctx);
        const seen = decodeResponse(client, out, ctx);
        expect(meaning(seen, client)).toEqual(meaning(original, client));
        expect(JSON.stringify(out)).toContain('client-model');
      });
    }
  }
});

describe('response shapes the SDKs rely on', () => {
  it('OpenAI chat: tool-call-only message has content null and finish_reason tool_calls (§2.3, §10.24)', () => {
    const out = convertResponse('anthropic', 'openai-chat', fixtureJson('anthropic/response-tool-use.json'), ctx) as Obj;
    expect(out.object).toBe('chat.completion');
    expect(out.choices[0].finish_reason).toBe('tool_calls');
    expect(out.choices[0].message.content).toBe("I'll check.");
    expect(out.choices[0].message.tool_calls[0]).toEqual({
      id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });
    expect(out.choices[0].message.reasoning_content).toBe('Need weather.');
    expect(out.choices[0].message.thinking_blocks).toEqual([{ type: 'thinking', thinking: 'Need weather.', signature: 'EsECCokBsig' }]);
    // Anthropic input excludes cache: prompt_tokens = 100 + 1000 + 50 (§9.9)
    expect(out.usage).toEqual({
      prompt_tokens: 1150,
      completion_tokens: 40,
      total_tokens: 1190,
      prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 50 },
      completion_tokens_details: { reasoning_tokens: 10 },
    });
    const gem = convertResponse('gemini', 'openai-chat', fixtureJson('gemini/response-function-call.json'), ctx) as Obj;
    expect(gem.choices[0].message.content).toBeNull();
  });

  it('Anthropic: tool_use input is an object, usage input excludes cache reads/writes', () => {
    const out = convertResponse('openai-chat', 'anthropic', fixtureJson('openai-chat/response-tool-calls.json'), ctx) as Obj;
    expect(out.type).toBe('message');
    expect(out.stop_reason).toBe('tool_use');
    expect(out.content).toEqual([
      { type: 'tool_use', id: 'call_2FQdm3Br7Qb35YUBSkDR7kue', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_9xYz', name: 'get_time', input: { tz: 'CET' } },
    ]);
    expect(out.usage).toEqual({
      input_tokens: 40,
      cache_creation_input_tokens: 10,
      cache_read_input_tokens: 40,
      output_tokens: 30,
      output_tokens_details: { thinking_tokens: 5 },
    });
  });

  it('Gemini: function calls end with STOP, thoughtSignature kept on the part, usage split into candidates + thoughts', () => {
    const out = convertResponse('openai-chat', 'gemini', fixtureJson('openai-chat/response-tool-calls.json'), ctx) as Obj;
    expect(out.candidates[0].finishReason).toBe('STOP');
    expect(out.candidates[0].content.parts[0]).toEqual({ functionCall: { name: 'get_weather', args: { city: 'Paris' }, id: 'call_2FQdm3Br7Qb35YUBSkDR7kue' } });
    expect(out.usageMetadata).toEqual({
      promptTokenCount: 90,
      candidatesTokenCount: 25,
      totalTokenCount: 120,
      cachedContentTokenCount: 40,
      thoughtsTokenCount: 5,
    });
  });

  it('Responses: function_call items + status completed; truncation → incomplete/max_output_tokens', () => {
    const out = convertResponse('gemini', 'openai-responses', fixtureJson('gemini/response-function-call.json'), ctx) as Obj;
    expect(out.object).toBe('response');
    expect(out.status).toBe('completed');
    const fc = out.output.find((i: Obj) => i.type === 'function_call');
    expect(fc).toEqual(expect.objectContaining({ type: 'function_call', status: 'completed', name: 'weather', arguments: '{"location":"San Francisco"}' }));
    expect(decodeToolCallId(fc.call_id).thoughtSignature).toBe('EqUCCqICAb4+');
    const inc = convertResponse(
      'openai-chat',
      'openai-responses',
      { ...fixtureJson('openai-chat/response-text.json'), choices: [{ index: 0, message: { role: 'assistant', content: 'Once' }, finish_reason: 'length' }] },
      ctx,
    ) as Obj;
    expect(inc.status).toBe('incomplete');
    expect(inc.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });
});
