import { jsonSchemasOf } from '@switchboard/common';
import { adminRouteList, type AdminRoute } from '@switchboard/contracts';
import { z } from 'zod';
import { ACCOUNT_ROUTES, OPS_ROUTES, REDEEM_ROUTE, RELAY_ROUTES, SESSION_ROUTES, SETTINGS_ROUTE, PLAYGROUND_ROUTE, type StaticRoute } from './static-routes';

/**
 * The OpenAPI 3.1 description of Switchboard's HTTP API. The admin routes, their parameters, request bodies and
 * answers are generated from ADMIN_ROUTES (libs/contracts), the zod schemas the services validate with, so the docs
 * cannot drift from validation; the relay and ops routes are the short static lists of static-routes.ts.
 */

const ERROR_ANSWER = { description: 'JSON; errors are { error: { code, message, field? } }' };

/** `/api/users/:id` → `/api/users/{id}` */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}

function parametersOf(route: AdminRoute): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = route.query ? jsonSchema(route.query, 'input') : undefined;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  for (const [name, schema] of Object.entries((query?.properties as Record<string, unknown> | undefined) ?? {})) {
    out.push({ name, in: 'query', required: required.has(name), schema });
  }
  return out;
}

function adminOperation(route: AdminRoute): Record<string, unknown> {
  const params = parametersOf(route);
  return {
    summary: route.summary,
    tags: ['admin'],
    ...(params.length ? { parameters: params } : {}),
    security: [{ adminKey: [] }],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${route.body.name}` } } } } }
      : {}),
    responses: {
      [String(route.status)]: { description: 'Success', content: { 'application/json': { schema: jsonSchema(route.answer, 'output') } } },
      default: ERROR_ANSWER,
    },
  };
}

function staticOperation(r: StaticRoute): Record<string, unknown> {
  const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  return {
    summary: r.summary,
    tags: [r.tag],
    ...(params.length ? { parameters: params } : {}),
    security: r.auth === 'key' ? [{ apiKey: [] }] : r.auth === 'session' ? [{ sessionCookie: [] }, { adminKey: [] }] : [],
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
    ...(r.method === 'post' && !r.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', ...(r.tag === 'relay' ? { description: 'As the vendor defines it' } : {}) } } },
          },
        }
      : {}),
    responses: {
      ...(r.answer
        ? {
            [String(r.answer.status)]: { description: 'Success', ...(r.answer.schema ? { content: { 'application/json': { schema: r.answer.schema } } } : {}) },
          }
        : {}),
      default: r.tag === 'relay' ? { description: 'The vendor protocol’s own response, or its error shape' } : ERROR_ANSWER,
    },
  };
}

export function buildOpenApi(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const admin = adminRouteList();
  for (const r of RELAY_ROUTES) (paths[r.path] ??= {})[r.method] = staticOperation(r);
  for (const r of admin) (paths[openApiPath(r.path)] ??= {})[r.method.toLowerCase()] = adminOperation(r);
  for (const r of [REDEEM_ROUTE, ...SESSION_ROUTES, ...ACCOUNT_ROUTES, SETTINGS_ROUTE, PLAYGROUND_ROUTE, ...OPS_ROUTES]) (paths[r.path] ??= {})[r.method] = staticOperation(r);
  const bodies = Object.fromEntries(admin.flatMap((r) => (r.body ? [[r.body.name, r.body.schema] as const] : [])));
  return {
    openapi: '3.1.0',
    info: { title: 'Switchboard', version, description: 'Self-hosted LLM API gateway: OpenAI, Anthropic and Gemini clients, one endpoint, any upstream.' },
    components: {
      schemas: jsonSchemasOf(bodies),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'sk-… (also x-api-key, x-goog-api-key or ?key=)' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'ADMIN_KEY (or X-Admin-Key); the console’s sb_session cookie is accepted too' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'sb_session',
          description: 'POST /api/session; requests other than GET/HEAD/OPTIONS also send x-csrf-token',
        },
      },
    },
    paths,
  };
}
