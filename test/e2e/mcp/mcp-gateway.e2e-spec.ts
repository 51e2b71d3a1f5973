import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { connectMcp, textOf, type McpTransportKind } from './support/mcp-client';
import { PETS_API_KEY, UPSTREAM_SECRET, petsDocument, startMcpUpstream, startPetsApi } from './support/mcp-upstreams';

jest.setTimeout(120_000);

type Admin = ReturnType<typeof adminClient>;

/**
 * The MCP gateway (SPEC §8): servers registered at /api/mcp-servers, reached by the MCP SDK's own Client through
 * /mcp/{name} (streamable HTTP) and /mcp/{name}/sse with a gateway key of an allowed group.
 */
describe('MCP gateway (standalone)', () => {
  let sys: System;
  let admin: Admin;
  let upstream: Awaited<ReturnType<typeof startMcpUpstream>>;
  let pets: Awaited<ReturnType<typeof startPetsApi>>;
  let key: string;
  let outsiderKey: string;
  const clients: Client[] = [];
  const open = async (name: string, kind: McpTransportKind, k = key) => {
    const c = await connectMcp(sys.url, name, k, kind);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    [upstream, pets, sys] = await Promise.all([startMcpUpstream(), startPetsApi(), startStandalone()]);
    admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/groups', { name: 'outsiders' })).status).toBe(201);
    key = String((await admin.post('/api/tokens', { name: 'mcp' })).body.key);
    outsiderKey = String((await admin.post('/api/tokens', { name: 'outsider', group: 'outsiders' })).body.key);
    const auth = { Authorization: `Bearer ${UPSTREAM_SECRET}` };
    for (const body of [
      { name: 'calc', type: 'remote', url: `${upstream.url}/mcp`, headers: auth, groups: ['default'] },
      { name: 'calc-sse', type: 'remote', url: `${upstream.url}/sse`, headers: auth, groups: ['default'] },
      { name: 'pets', type: 'openapi', spec: petsDocument(pets.url), headers: { 'x-api-key': PETS_API_KEY }, groups: ['default', 'outsiders'] },
      { name: 'pets-by-url', type: 'openapi', spec: `${pets.url}/openapi.json`, headers: { 'x-api-key': PETS_API_KEY } },
    ]) {
      const created = await admin.post('/api/mcp-servers', body);
      expect([created.status, created.body]).toEqual([201, expect.objectContaining({ name: body.name })]);
    }
    // the gateway follows the routing table's change event
    await eventually(() => open('pets-by-url', 'streamable').then(() => true), 10_000, 'the MCP servers at the gateway');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await sys?.stop();
    await Promise.all([upstream?.stop(), pets?.stop()]);
  });

  it('answers servers with header values masked, refuses bad input with 400s naming the field, and audits', async () => {
    const list = await admin.get<{ data: { name: string; headers: Record<string, string>; endpoints: unknown; groups: string[] }[] }>('/api/mcp-servers');
    expect(list.status).toBe(200);
    expect(list.body.data.map((s) => s.name)).toEqual(['calc', 'calc-sse', 'pets', 'pets-by-url']);
    const calc = list.body.data.find((s) => s.name === 'calc')!;
    expect(calc.endpoints).toEqual({ streamable: '/mcp/calc', sse: '/mcp/calc/sse' });
    expect(calc.headers.Authorization).toBeDefined();
    expect(JSON.stringify(list.body)).not.toContain(UPSTREAM_SECRET.slice(4, -4));
    expect(JSON.stringify(list.body)).not.toContain(PETS_API_KEY.slice(4, -4));
    expect(list.body.data.find((s) => s.name === 'pets-by-url')!.groups).toEqual(['default']);

    const bad = async (body: unknown, field: string, path = '/api/mcp-servers', method: 'post' | 'patch' = 'post') => {
      const r = await admin[method]<{ error: { message: string } }>(path, body);
      expect([r.status, r.body.error.message]).toEqual([400, expect.stringContaining(field)]);
    };
    await bad({ name: 'x', type: 'remote' }, 'url');
    await bad({ name: 'x', type: 'openapi' }, 'spec');
    await bad({ name: 'x', type: 'openapi', spec: { openapi: '2.0', paths: {} } }, 'OpenAPI 3');
    await bad({ name: 'x', type: 'openapi', spec: 'not a url' }, 'spec');
    await bad({ name: 'has space', type: 'remote', url: 'http://h/mcp' }, 'name');
    await bad({ name: 'x', type: 'smtp', url: 'http://h/mcp' }, 'type');
    await bad({ name: 'x', type: 'remote', url: 'ftp://h/mcp' }, 'url');
    await bad({ name: 'x', type: 'remote', url: 'http://h/mcp', headers: { 'bad header': 'v' } }, 'headers');
    await bad({ name: 'x', type: 'remote', url: 'http://h/mcp', bogus: 1 }, 'bogus');
    await bad({ url: null }, 'url', '/api/mcp-servers/calc', 'patch');
    expect((await admin.post('/api/mcp-servers', { name: 'calc', type: 'remote', url: 'http://h/mcp' })).status).toBe(409);
    expect((await admin.patch('/api/mcp-servers/nope', { groups: [] })).status).toBe(404);
    expect((await admin.del('/api/mcp-servers/nope')).status).toBe(404);

    const audit = await admin.get<{ data: { entityId: string; action: string }[] }>('/api/audit?entity=mcp-server');
    expect(audit.status).toBe(200);
    expect(audit.body.data.map((a) => `${a.action}:${a.entityId}`).sort()).toEqual(['create:calc', 'create:calc-sse', 'create:pets', 'create:pets-by-url']);
    expect(JSON.stringify(audit.body)).not.toContain(UPSTREAM_SECRET.slice(4, -4));
  });

  it.each(['streamable', 'sse'] as const)('proxies a remote MCP server over %s: tools, tool calls, errors and resources', async (kind) => {
    const client = await open('calc', kind);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['add', 'fail']);
    expect(tools.tools.find((t) => t.name === 'add')!.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' } } });
    expect(textOf(await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } }))).toBe('42');
    const failed = (await client.callTool({ name: 'fail', arguments: {} })) as CallToolResult;
    expect([failed.isError, textOf(failed)]).toEqual([true, 'it failed on purpose']);
    const read = await client.readResource({ uri: 'memo://motd' });
    expect(read.contents[0]).toMatchObject({ text: 'hello from upstream' });
  });

  it('reaches an upstream that only speaks the old HTTP+SSE transport (its URL ends in /sse)', async () => {
    const client = await open('calc-sse', 'streamable');
    expect(textOf(await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }))).toBe('2');
  });

  it.each(['streamable', 'sse'] as const)('turns an OpenAPI document into tools and calls the API over %s', async (kind) => {
    const client = await open('pets', kind);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['listPets', 'createPet', 'get_pets_petId']);
    expect(tools.find((t) => t.name === 'createPet')!.inputSchema).toMatchObject({
      required: ['body'],
      properties: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
    });
    expect(tools.find((t) => t.name === 'get_pets_petId')!.inputSchema).toMatchObject({ required: ['petId'] });

    expect(JSON.parse(textOf(await client.callTool({ name: 'listPets', arguments: { limit: 1 } })))).toEqual([{ id: 1, name: 'Rex', tag: 'dog' }]);
    const created = JSON.parse(textOf(await client.callTool({ name: 'createPet', arguments: { body: { name: `Kit-${kind}` } } }))) as { id: number };
    const one = (await client.callTool({ name: 'get_pets_petId', arguments: { petId: created.id } })) as CallToolResult;
    expect([one.isError ?? false, JSON.parse(textOf(one))]).toEqual([false, { id: created.id, name: `Kit-${kind}` }]);
    const missing = (await client.callTool({ name: 'get_pets_petId', arguments: { petId: 999 } })) as CallToolResult;
    expect([missing.isError, textOf(missing)]).toEqual([true, expect.stringContaining('HTTP 404')]);
    expect(pets.calls).toContainEqual({ method: 'GET', path: '/v1/pets?limit=1' });
  });

  it('reads an OpenAPI document from its URL', async () => {
    const client = await open('pets-by-url', 'streamable');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('listPets');
    expect(JSON.parse(textOf(await client.callTool({ name: 'get_pets_petId', arguments: { petId: 2 } })))).toMatchObject({ name: 'Tom' });
  });

  it('refuses a bad key (401), a key of a group not listed (403) and an unknown server (404)', async () => {
    for (const kind of ['streamable', 'sse'] as const) {
      await expect(connectMcp(sys.url, 'calc', 'sk-not-a-real-key', kind)).rejects.toMatchObject({ code: 401 });
      await expect(connectMcp(sys.url, 'calc', outsiderKey, kind)).rejects.toMatchObject({ code: 403 });
    }
    const post = (name: string, k: string | null) =>
      fetch(`${sys.url}/mcp/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(k ? { authorization: `Bearer ${k}` } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
    expect((await post('calc', null)).status).toBe(401);
    expect((await post('calc', outsiderKey)).status).toBe(403);
    expect((await post('nope', key)).status).toBe(404);
    // the outsiders' group is listed on pets
    expect((await post('pets', outsiderKey)).status).toBe(200);
    expect((await fetch(`${sys.url}/mcp/calc/sse`)).status).toBe(401);
    expect(upstream.refused()).toBe(0);
  });

  it('counts every tool call by server and outcome', async () => {
    const metrics = await (await fetch(`${sys.url}/metrics`)).text();
    const value = (server: string, outcome: string) =>
      Number(new RegExp(`^switchboard_mcp_tool_calls_total\\{server="${server}",outcome="${outcome}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    expect(value('calc', 'ok')).toBeGreaterThanOrEqual(2);
    expect(value('calc', 'error')).toBe(2);
    expect(value('pets', 'error')).toBe(2);
    expect(metrics).toMatch(/^switchboard_mcp_tool_call_duration_seconds_count\{server="pets"\} \d+/m);
  });

  it('follows edits: an emptied group list closes the server to everybody; a deleted server is gone', async () => {
    const patched = await admin.patch<{ groups: string[]; headers: Record<string, string> }>('/api/mcp-servers/calc', { groups: [] });
    expect([patched.status, patched.body.groups]).toEqual([200, []]);
    await eventually(async () => (await connectMcp(sys.url, 'calc', key, 'streamable').catch((e: { code?: number }) => e.code)) === 403, 10_000, 'calc closed');
    // the masked header sent back keeps the stored secret
    const reopened = await admin.patch('/api/mcp-servers/calc', { groups: ['default'], headers: patched.body.headers });
    expect(reopened.status).toBe(200);
    const client = await eventually(() => open('calc', 'streamable').catch(() => null), 10_000, 'calc reopened');
    expect(textOf(await client.callTool({ name: 'add', arguments: { a: 3, b: 4 } }))).toBe('7');

    expect((await admin.del('/api/mcp-servers/calc-sse')).status).toBe(200);
    await eventually(
      async () => (await connectMcp(sys.url, 'calc-sse', key, 'streamable').catch((e: { code?: number }) => e.code)) === 404,
      10_000,
      'calc-sse gone',
    );
    expect(upstream.refused()).toBe(0);
  });
});
