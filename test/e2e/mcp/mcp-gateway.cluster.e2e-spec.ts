import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';
import { connectMcp, textOf } from './support/mcp-client';
import { PETS_API_KEY, UPSTREAM_SECRET, petsDocument, startMcpUpstream, startPetsApi } from './support/mcp-upstreams';

jest.setTimeout(180_000);

/** The MCP gateway across the five services: the router stores the servers, the gateway serves them from the table. */
describe('MCP gateway (cluster)', () => {
  let sys: (System & { dropDatabase(): Promise<void> }) | undefined;
  let upstream: Awaited<ReturnType<typeof startMcpUpstream>>;
  let pets: Awaited<ReturnType<typeof startPetsApi>>;
  const clients: Client[] = [];

  beforeAll(async () => {
    [upstream, pets, sys] = await Promise.all([startMcpUpstream(), startPetsApi(), startCluster()]);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await sys?.stop();
    await sys?.dropDatabase();
    await Promise.all([upstream?.stop(), pets?.stop()]);
  });

  it('serves a remote and an OpenAPI server to keys of their groups over both transports, and refuses the others', async () => {
    const admin = adminClient(sys!.url, sys!.adminKey);
    expect((await admin.post('/api/groups', { name: 'outsiders' })).status).toBe(201);
    const key = String((await admin.post('/api/tokens', { name: 'mcp' })).body.key);
    const outsiderKey = String((await admin.post('/api/tokens', { name: 'outsider', group: 'outsiders' })).body.key);
    const calc = await admin.post('/api/mcp-servers', {
      name: 'calc',
      type: 'remote',
      url: `${upstream.url}/mcp`,
      headers: { Authorization: `Bearer ${UPSTREAM_SECRET}` },
      groups: ['default'],
    });
    expect(calc.status).toBe(201);
    const api = await admin.post('/api/mcp-servers', { name: 'pets', type: 'openapi', spec: petsDocument(pets.url), headers: { 'x-api-key': PETS_API_KEY } });
    expect(api.status).toBe(201);

    const remote = await eventually(() => connectMcp(sys!.url, 'calc', key, 'streamable').catch(() => null), 15_000, 'calc at the gateway');
    clients.push(remote);
    expect(textOf(await remote.callTool({ name: 'add', arguments: { a: 20, b: 22 } }))).toBe('42');

    const openapi = await eventually(() => connectMcp(sys!.url, 'pets', key, 'sse').catch(() => null), 15_000, 'pets at the gateway');
    clients.push(openapi);
    expect((await openapi.listTools()).tools.map((t) => t.name)).toEqual(['listPets', 'createPet', 'get_pets_petId']);
    const rex = (await openapi.callTool({ name: 'get_pets_petId', arguments: { petId: 1 } })) as CallToolResult;
    expect(JSON.parse(textOf(rex))).toMatchObject({ name: 'Rex' });

    await expect(connectMcp(sys!.url, 'calc', outsiderKey, 'streamable')).rejects.toMatchObject({ code: 403 });
    await expect(connectMcp(sys!.url, 'pets', 'sk-wrong', 'sse')).rejects.toMatchObject({ code: 401 });
    expect(upstream.refused()).toBe(0);
  });
});
