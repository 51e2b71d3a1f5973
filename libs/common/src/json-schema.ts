import { z, type ZodType } from 'zod';

/** JSON Schemas (draft 2020-12, the request side) of a service's admin inputs, for the gateway's /docs. */
export function jsonSchemasOf(schemas: Record<string, ZodType>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const { $schema: _drop, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    out[name] = json;
  }
  return out;
}
