import { convertRequest } from '../conversion/convert-request';
import { fixtureJson } from '../testing/fixtures.loader';
import { normalizeJsonSchemaTypes } from './json-schema.util';

type Obj = Record<string, any>; // test-only convenience for deep property access

/** What a Gemini CLI's upper-case responseJsonSchema must become for OpenAI and Anthropic upstreams. */
const EXPECTED_SCHEMA = {
  type: 'object',
  properties: {
    reasoning: { type: 'string', description: 'Brief explanation' },
    next_speaker: { type: 'string', enum: ['USER', 'MODEL'] },
    confidence: { type: ['number', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    type: { anyOf: [{ type: 'integer' }, { type: 'boolean' }] },
    extra: { type: 'object', additionalProperties: { type: 'string' } },
    ref: { $ref: '#/$defs/Point' },
  },
  required: ['reasoning', 'next_speaker'],
  $defs: { Point: { type: 'object', properties: { x: { type: 'number' } } } },
};

describe('Gemini responseJsonSchema with upper-case types (Gemini CLI)', () => {
  const body = fixtureJson('gemini/request-response-json-schema-upper.json');
  const ctx = { upstreamModel: 'up', requestedModel: 'gemini-2.5-flash', stream: false, requestId: 'r' };

  it('→ OpenAI Chat response_format and tool parameters in lower case', () => {
    const out = convertRequest('gemini', 'openai-chat', body, ctx) as Obj;
    expect(out.response_format.type).toBe('json_schema');
    expect(out.response_format.json_schema.schema).toEqual(EXPECTED_SCHEMA);
    expect(out.tools[0].function.parameters).toEqual({ type: 'object', properties: { path: { type: 'string' } }, required: ['path'] });
  });

  it('→ OpenAI Responses text.format in lower case', () => {
    const out = convertRequest('gemini', 'openai-responses', body, ctx) as Obj;
    expect(out.text.format.schema).toEqual(EXPECTED_SCHEMA);
  });

  it('→ Anthropic output_config in lower case', () => {
    const out = convertRequest('gemini', 'anthropic', body, ctx) as Obj;
    expect(out.output_config.format.schema).toEqual(EXPECTED_SCHEMA);
    expect(out.tools[0].input_schema.properties.path.type).toBe('string');
  });

  it('drops TYPE_UNSPECIFIED, keeps enum values and does not touch the input', () => {
    const input = { type: 'TYPE_UNSPECIFIED', enum: ['OBJECT'], items: [{ type: 'STRING' }] };
    expect(normalizeJsonSchemaTypes(input)).toEqual({ enum: ['OBJECT'], items: [{ type: 'string' }] });
    expect(input.type).toBe('TYPE_UNSPECIFIED');
  });
});
