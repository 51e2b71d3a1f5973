import { inlineRefs, requestOf, serverUrlOf, toolsFromOpenApi } from './openapi-tools';

const doc = {
  openapi: '3.1.0',
  servers: [{ url: 'https://{region}.api.test/v{version}', variables: { region: { default: 'eu' }, version: { default: '2' } } }],
  paths: {
    '/items/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        operationId: 'get item!',
        summary: 'One item',
        description: 'By id',
        parameters: [
          { name: 'id', in: 'query', schema: { type: 'integer' } },
          { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
          { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
        ],
      },
      put: {
        requestBody: { content: { 'application/merge-patch+json': { schema: { $ref: '#/components/schemas/Node' } } } },
      },
    },
  },
  components: { schemas: { Node: { type: 'object', properties: { child: { $ref: '#/components/schemas/Node' }, name: { type: 'string' } } } } },
};

describe('OpenAPI → MCP tools', () => {
  const [get, put] = toolsFromOpenApi(doc);

  it('names tools by operationId (made a valid name) or method and path, and describes them', () => {
    expect([get.name, put.name]).toEqual(['get_item', 'put_items_id']);
    expect(get.description).toBe('One item\n\nBy id');
  });

  it('takes parameters by name (a clash gets its place as prefix), path ones required, and the JSON body as `body`', () => {
    expect(get.inputSchema).toEqual({
      type: 'object',
      properties: { id: { type: 'string' }, query_id: { type: 'integer' }, 'X-Trace': { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['id'],
    });
    expect(put.body).toBe(true);
    // a recursive schema is cut where it refers back to itself
    expect(put.inputSchema.properties.body).toEqual({ type: 'object', properties: { child: {}, name: { type: 'string' } } });
    expect(inlineRefs(doc, { $ref: '#/nowhere' })).toEqual({});
  });

  it('builds the HTTP request: path encoded, query repeated for arrays, header parameters, JSON body', () => {
    const base = serverUrlOf(doc)!;
    expect(base).toBe('https://eu.api.test/v2');
    expect(requestOf(get, base, { id: 'a/b', query_id: 3, tags: ['x', 'y'], 'X-Trace': 't1' }, { authorization: 'Bearer k' })).toEqual({
      method: 'GET',
      url: 'https://eu.api.test/v2/items/a%2Fb?id=3&tags=x&tags=y',
      headers: { authorization: 'Bearer k', 'X-Trace': 't1' },
    });
    // a dots-only segment stays a segment; the configured credentials cannot be replaced by an argument
    const dots = requestOf(get, base, { id: '..', 'X-Trace': 'mine' }, { 'x-trace': 'configured' });
    expect([dots.url, dots.headers]).toEqual(['https://eu.api.test/v2/items/%2E%2E', { 'x-trace': 'configured' }]);
    expect(requestOf(put, base, { id: '1', body: { name: 'n' } }, {})).toMatchObject({
      method: 'PUT',
      body: '{"name":"n"}',
      headers: { 'content-type': 'application/json' },
    });
  });

  it('resolves a relative server URL against where the document was read', () => {
    expect(serverUrlOf({ servers: [{ url: '/api' }] }, 'http://h:8080/docs/openapi.json')).toBe('http://h:8080/api');
    expect(serverUrlOf({}, 'http://h:8080/docs/openapi.json')).toBe('http://h:8080/');
    expect(serverUrlOf({})).toBeNull();
  });
});
