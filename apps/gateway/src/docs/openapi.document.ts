/**
 * The OpenAPI 3.1 description of Switchboard's HTTP API. Paths are listed here; the admin request bodies are the
 * JSON Schemas each owning service derives from its own zod validators (so the docs cannot drift from validation).
 */
type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
interface Route {
  method: Method;
  path: string;
  summary: string;
  tag: 'relay' | 'admin' | 'ops';
  body?: string;
  auth: 'key' | 'admin' | 'none';
}

const R = (method: Method, path: string, tag: Route['tag'], auth: Route['auth'], summary: string, body?: string): Route => ({
  method,
  path,
  tag,
  auth,
  summary,
  body,
});

export const ROUTES: Route[] = [
  R('post', '/v1/chat/completions', 'relay', 'key', 'OpenAI Chat Completions (stream with "stream": true); any channel type'),
  R('post', '/v1/responses', 'relay', 'key', 'OpenAI Responses (stream and not)'),
  R('post', '/v1/embeddings', 'relay', 'key', 'OpenAI Embeddings (float and base64)'),
  R('get', '/v1/models', 'relay', 'key', "Models this key may use, in the caller's shape (OpenAI, Anthropic or Gemini by auth carrier)"),
  R('post', '/v1/messages', 'relay', 'key', 'Anthropic Messages (stream and not)'),
  R('post', '/v1/messages/count_tokens', 'relay', 'key', 'Anthropic token count (answered at the edge)'),
  R('post', '/v1beta/models/{model}:generateContent', 'relay', 'key', 'Gemini generateContent (also under /v1/models/…)'),
  R('post', '/v1beta/models/{model}:streamGenerateContent', 'relay', 'key', 'Gemini stream (?alt=sse)'),
  R('post', '/v1beta/models/{model}:countTokens', 'relay', 'key', 'Gemini token count (answered at the edge)'),
  R('post', '/v1beta/models/{model}:embedContent', 'relay', 'key', 'Gemini embedContent'),
  R('post', '/v1beta/models/{model}:batchEmbedContents', 'relay', 'key', 'Gemini batchEmbedContents'),
  R('get', '/v1beta/models', 'relay', 'key', 'Gemini model list'),
  R('get', '/api/channels', 'admin', 'admin', 'List channels (keys masked; status, bans, errorRate, responseTimeMs)'),
  R('post', '/api/channels', 'admin', 'admin', 'Create a channel', 'CreateChannel'),
  R('get', '/api/channels/{id}', 'admin', 'admin', 'A channel'),
  R('patch', '/api/channels/{id}', 'admin', 'admin', 'Update a channel', 'UpdateChannel'),
  R('delete', '/api/channels/{id}', 'admin', 'admin', 'Delete a channel'),
  R('post', '/api/channels/{id}/test', 'admin', 'admin', 'Probe the channel now ({ model? })'),
  R('get', '/api/aliases', 'admin', 'admin', 'List aliases'),
  R('post', '/api/aliases', 'admin', 'admin', 'Create an alias', 'CreateAlias'),
  R('patch', '/api/aliases/{name}', 'admin', 'admin', 'Update an alias', 'UpdateAlias'),
  R('delete', '/api/aliases/{name}', 'admin', 'admin', 'Delete an alias'),
  R('get', '/api/users', 'admin', 'admin', 'List users'),
  R('post', '/api/users', 'admin', 'admin', 'Create a user', 'CreateUser'),
  R('get', '/api/users/{id}', 'admin', 'admin', 'A user'),
  R('patch', '/api/users/{id}', 'admin', 'admin', 'Update a user', 'UpdateUser'),
  R('delete', '/api/users/{id}', 'admin', 'admin', 'Delete a user'),
  R('post', '/api/users/{id}/topup', 'admin', 'admin', 'Credit a user ({ amount } USD) → { balance }', 'TopUp'),
  R('get', '/api/tokens', 'admin', 'admin', 'List tokens (API keys)'),
  R('post', '/api/tokens', 'admin', 'admin', 'Create a token: the full key is answered once, as `key`', 'CreateToken'),
  R('get', '/api/tokens/{id}', 'admin', 'admin', 'A token'),
  R('patch', '/api/tokens/{id}', 'admin', 'admin', 'Update a token', 'UpdateToken'),
  R('delete', '/api/tokens/{id}', 'admin', 'admin', 'Delete a token'),
  R('get', '/api/groups', 'admin', 'admin', 'List groups'),
  R('post', '/api/groups', 'admin', 'admin', 'Create a group', 'CreateGroup'),
  R('get', '/api/groups/{name}', 'admin', 'admin', 'A group'),
  R('patch', '/api/groups/{name}', 'admin', 'admin', 'Update a group', 'UpdateGroup'),
  R('get', '/api/prices', 'admin', 'admin', 'Prices, USD per million tokens'),
  R('put', '/api/prices/{model}', 'admin', 'admin', 'Set a price', 'PutPrice'),
  R('post', '/api/redemptions', 'admin', 'admin', 'Create redemption codes', 'CreateRedemptions'),
  R('get', '/api/redemptions', 'admin', 'admin', 'List redemption codes (hashes only: a code is shown once, at creation)'),
  R('get', '/api/ledger', 'admin', 'admin', 'Ledger entries (debits, top-ups, redemptions, adjustments), newest first'),
  R('get', '/api/ledger/reconciliation', 'admin', 'admin', 'Balances against the ledger and the quota counters against both, checked now'),
  R('post', '/api/redeem', 'admin', 'key', 'Redeem a code onto the calling token’s user (token key, not the admin key)', 'Redeem'),
  R('get', '/api/logs', 'admin', 'admin', 'Request logs, newest first (filters, cursor)'),
  R('get', '/api/logs/{requestId}', 'admin', 'admin', 'One request log (requestId = the response’s x-request-id)'),
  R('get', '/api/stats', 'admin', 'admin', 'Totals, by day, model, channel and top users (?days=7)'),
  R('get', '/api/audit', 'admin', 'admin', 'Audit log of every admin change'),
  R(
    'get',
    '/api/usage/dead-letters',
    'admin',
    'admin',
    'Usage records a consumer could not commit or the gateway rejected, newest first ({ data, total }; consumer, requestId, limit, offset)',
  ),
  R('get', '/api/status', 'ops', 'none', 'Version, uptime, mode'),
  R('get', '/health/live', 'ops', 'none', 'Liveness'),
  R('get', '/health/ready', 'ops', 'none', 'Readiness (503 while a dependency is down or while draining)'),
  R('get', '/metrics', 'ops', 'none', 'Prometheus metrics'),
];

export function buildOpenApi(version: string, schemas: Record<string, unknown>): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      ...(params.length ? { parameters: params } : {}),
      security: r.auth === 'admin' ? [{ adminKey: [] }] : r.auth === 'key' ? [{ apiKey: [] }] : [],
      responses: {
        default: {
          description: r.tag === 'relay' ? 'The vendor protocol’s own response, or its error shape' : 'JSON; errors are { error: { code, message, field? } }',
        },
      },
    };
    if (r.body) {
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemas[r.body] ? { $ref: `#/components/schemas/${r.body}` } : { type: 'object' } } },
      };
    } else if (r.tag === 'relay' && r.method === 'post') {
      op.requestBody = { required: true, content: { 'application/json': { schema: { type: 'object', description: 'As the vendor defines it' } } } };
    }
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Switchboard', version, description: 'Self-hosted LLM API gateway: OpenAI, Anthropic and Gemini clients, one endpoint, any upstream.' },
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'sk-… (also x-api-key, x-goog-api-key or ?key=)' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'ADMIN_KEY (or X-Admin-Key)' },
      },
    },
    paths,
  };
}
