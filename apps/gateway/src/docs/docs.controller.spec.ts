import { adminRouteList } from '@switchboard/contracts';
import Fastify from 'fastify';
import { DocsController } from './docs.controller';
import { buildOpenApi, openApiPath } from './openapi.document';
import { RELAY_ROUTES } from './static-routes';

interface Operation {
  summary: string;
  tags: string[];
  parameters?: { name: string; in: string; required: boolean }[];
  security: Record<string, unknown>[];
  requestBody?: { content: { 'application/json': { schema: { $ref?: string } } } };
  responses: Record<string, { content?: { 'application/json': { schema: Record<string, unknown> } } }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
}

const doc = buildOpenApi('1.2.3') as unknown as Doc;

describe('the OpenAPI document', () => {
  it('documents every admin route of the table, with its summary, parameters, body and success answer', () => {
    for (const r of adminRouteList()) {
      const op = doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()];
      expect([r.op, op?.summary]).toEqual([r.op, r.summary]);
      expect(op.security).toEqual([{ adminKey: [] }]);
      const pathParams = op.parameters?.filter((p) => p.in === 'path').map((p) => p.name) ?? [];
      expect([r.op, pathParams]).toEqual([r.op, [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1])]);
      expect([r.op, op.requestBody?.content['application/json'].schema.$ref]).toEqual([r.op, r.body ? `#/components/schemas/${r.body.name}` : undefined]);
      expect([r.op, op.responses[String(r.status)]?.content?.['application/json'].schema]).toEqual([r.op, expect.any(Object)]);
    }
    expect(doc.paths['/api/channels/{id}'].patch.summary).toBe('Update a channel');
  });

  it('turns the zod schemas into request bodies and query parameters', () => {
    expect(doc.components.schemas.TopUp.required).toEqual(['amount']);
    expect(Object.keys(doc.components.schemas.PutPrice.properties!)).toEqual([
      'input',
      'output',
      'cacheRead',
      'cacheWrite',
      'perRequest',
      'perImage',
      'perImageBySize',
      'audioInputPerMinute',
      'speechPerMillionChars',
      'perSearchUnit',
    ]);
    expect(doc.components.schemas.CreateChannel.required).toEqual(expect.arrayContaining(['name', 'type', 'keys', 'models']));
    expect(Object.keys(doc.components.schemas.CreateToken.properties!)).toEqual(expect.arrayContaining(['quota', 'models', 'allowIps', 'rpm', 'tpm']));
    const logQuery = doc.paths['/api/logs'].get.parameters!.filter((p) => p.in === 'query').map((p) => p.name);
    expect(logQuery).toEqual(expect.arrayContaining(['tokenId', 'model', 'from', 'to', 'limit', 'cursor']));
    const answer = doc.paths['/api/users/{id}/topup'].post.responses['200'].content!['application/json'].schema;
    expect(answer).toMatchObject({ type: 'object', properties: { balance: { type: 'number' } }, required: ['balance'] });
  });

  it('keeps the relay, redeem and ops routes', () => {
    for (const r of RELAY_ROUTES) expect(doc.paths[r.path]?.[r.method]?.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/api/redeem'].post.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/status', '/health/live', '/health/ready', '/metrics']));
  });

  it('documents every admin GET the gateway serves for billing (redemptions, ledger, reconciliation)', () => {
    const gets = Object.entries(doc.paths)
      .filter(([, ops]) => ops.get)
      .map(([path]) => path);
    expect(gets).toEqual(expect.arrayContaining(['/api/redemptions', '/api/ledger', '/api/ledger/reconciliation']));
  });
});

describe('DocsController', () => {
  it('serves the document built from the tables, without asking any service', () => {
    const docs = new DocsController();
    const first = docs.docs();
    expect(first).toMatchObject({ openapi: '3.1.0', paths: expect.objectContaining({ '/api/tokens': expect.any(Object) }) });
    expect(docs.docs()).toBe(first);
  });

  it('GET /docs is the interactive page for a browser and the JSON document for anything else', async () => {
    const app = Fastify();
    const docs = new DocsController();
    app.get('/docs', (req, reply) => docs.reference(req, reply));
    try {
      const html = await app.inject({ url: '/docs', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect([html.statusCode, html.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
      expect(html.body).toContain('<script src="/docs/assets/swagger-ui-bundle.js"></script>');
      expect(html.body).not.toMatch(/<script>|https?:\/\//);
      expect(html.headers['content-security-policy']).toMatch(/script-src 'self';/);
      for (const accept of ['application/json', '*/*', undefined]) {
        const json = await app.inject({ url: '/docs', headers: accept ? { accept } : {} });
        expect([accept, json.headers['content-type'], json.json<{ openapi: string }>().openapi]).toEqual([accept, 'application/json; charset=utf-8', '3.1.0']);
      }
    } finally {
      await app.close();
    }
  });

  it('documents the console session routes', () => {
    expect(Object.keys(doc.paths['/api/session']).sort()).toEqual(['delete', 'get', 'post']);
    expect(doc.paths['/api/session'].post.requestBody?.content['application/json'].schema).toMatchObject({
      oneOf: [{ required: ['adminKey'] }, { required: ['username', 'password'] }],
    });
    expect(doc.paths['/api/me/tokens'].post.summary).toContain('maxTokens');
    expect(doc.paths['/api/session'].get.security).toEqual([{ sessionCookie: [] }, { adminKey: [] }]);
    expect(doc.paths['/api/me/password'].post.requestBody?.content['application/json'].schema).toMatchObject({ required: ['newPassword'] });
    expect(doc.paths['/api/me/sessions/revoke'].post.summary).toContain('Sign out everywhere');
  });

  it('documents the Stripe top-up routes', () => {
    expect(doc.paths['/api/me/topup/checkout'].post.requestBody?.content['application/json'].schema).toMatchObject({ required: ['amount'] });
    expect(doc.paths['/api/me/topups'].get).toBeDefined();
    expect(doc.paths['/api/webhooks/stripe'].post.summary).toContain('Stripe-Signature');
  });
});
