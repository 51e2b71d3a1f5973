import type { Page } from 'playwright-core';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { connectMcp, textOf } from '../mcp/support/mcp-client';
import { PETS_API_KEY, petsDocument, startPetsApi } from '../mcp/support/mcp-upstreams';
import { fitsWidth, openConsole, phoneContext, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

interface McpServer {
  name: string;
  type: string;
  spec: unknown;
  headers: Record<string, string>;
  groups: string[];
  orgId: number | null;
}

describe('console: MCP servers page (standalone)', () => {
  let sys: System;
  let cb: ConsoleBrowser;
  let page: Page;
  let admin: ReturnType<typeof adminClient>;
  let pets: Awaited<ReturnType<typeof startPetsApi>>;
  let key: string;

  beforeAll(async () => {
    [pets, sys] = await Promise.all([startPetsApi(), startStandalone()]);
    admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/groups', { name: 'ops' })).status).toBe(201);
    key = String((await admin.post('/api/tokens', { name: 'mcp-console' })).body.key);
    // The validation error the test provokes on purpose is the only failed response allowed.
    cb = await openConsole(sys, { expected: (status, url) => status === 400 && url.pathname.startsWith('/api/mcp-servers') });
    page = cb.page;
  });
  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await pets?.stop();
  });

  it('registers an OpenAPI server, naming the field of a bad spec; its tools then answer an MCP client', async () => {
    await page.goto('/dashboard');
    await page.getByRole('link', { name: 'MCP servers' }).click();
    await page.getByTestId('mcp-servers-empty').waitFor();
    expect(new URL(page.url()).pathname).toBe('/mcp-servers');
    await page.getByRole('button', { name: 'New MCP server' }).click();
    const dialog = page.getByRole('dialog', { name: 'New MCP server' });
    await dialog.getByLabel('Name').fill('pets');
    await dialog.getByText('OpenAPI', { exact: true }).click();
    await dialog.getByLabel('OpenAPI document').fill('not a document');
    await dialog.getByLabel('Upstream headers').fill(`x-api-key: ${PETS_API_KEY}`);
    await dialog.getByRole('button', { name: 'Save server' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toContain('spec');

    await dialog.getByLabel('OpenAPI document').fill(JSON.stringify(petsDocument(pets.url)));
    await cb.shot('mcp-servers-editor-light');
    await dialog.getByRole('button', { name: 'Save server' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('mcp-server-pets');
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/OpenAPI.*inline document.*default.*\/mcp\/pets.*\/mcp\/pets\/sse/);

    const stored = (await admin.get<{ data: McpServer[] }>('/api/mcp-servers')).body.data;
    expect(stored).toEqual([
      expect.objectContaining({ name: 'pets', type: 'openapi', groups: ['default'], spec: expect.objectContaining({ openapi: '3.0.3' }) }),
    ]);
    expect(stored[0].headers['x-api-key']).not.toBe(PETS_API_KEY);

    const client = await eventually(() => connectMcp(sys.url, 'pets', key, 'streamable').catch(() => null), 10_000, 'pets at the gateway');
    expect(JSON.parse(textOf(await client.callTool({ name: 'listPets', arguments: { limit: 1 } })))).toEqual([{ id: 1, name: 'Rex', tag: 'dog' }]);
    await client.close();
    await cb.shot('mcp-servers-light');
  });

  it('edits the groups keeping the masked header, then deletes the server', async () => {
    await page.getByRole('button', { name: 'Edit MCP server pets' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit MCP server pets' });
    await expect(dialog.getByLabel('Upstream headers').inputValue()).resolves.not.toContain(PETS_API_KEY);
    const groups = dialog.getByLabel('Groups allowed');
    await groups.fill('ops');
    await groups.press('Enter');
    await dialog.getByRole('button', { name: 'Save server' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect(page.getByTestId('mcp-server-pets').textContent()).resolves.toMatch(/default.*ops/);
    expect((await admin.get<{ data: McpServer[] }>('/api/mcp-servers')).body.data[0].groups).toEqual(['default', 'ops']);
    // the stored key still reaches the API
    const client = await eventually(() => connectMcp(sys.url, 'pets', key, 'streamable').catch(() => null), 10_000, 'pets at the gateway');
    expect(JSON.parse(textOf(await client.callTool({ name: 'get_pets_petId', arguments: { petId: 2 } })))).toMatchObject({ name: 'Tom' });
    await client.close();

    // a root gives the server to an organisation from the same form (the platform is the default owner)
    const acme = (await admin.post<{ id: number }>('/api/orgs', { name: 'acme' })).body.id;
    await page.getByRole('button', { name: 'Edit MCP server pets' }).click();
    await expect(dialog.getByRole('textbox', { name: 'Organisation' }).inputValue()).resolves.toBe('None (the platform)');
    await dialog.getByRole('textbox', { name: 'Organisation' }).click();
    await page.getByRole('option', { name: 'acme' }).click();
    await dialog.getByRole('button', { name: 'Save server' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await admin.get<{ data: McpServer[] }>('/api/mcp-servers')).body.data[0]).toMatchObject({ name: 'pets', orgId: acme, groups: ['default', 'ops'] });

    const phone = await phoneContext(cb.browser, cb.context, sys.url);
    const small = await phone.newPage();
    await small.goto('/mcp-servers');
    await small.getByTestId('mcp-server-pets').waitFor();
    expect(await fitsWidth(small)).toBe(true);
    await phone.close();

    await page.getByRole('button', { name: 'Delete MCP server pets' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete MCP server pets?' });
    await confirm.getByRole('button', { name: 'Delete server' }).click();
    await page.getByTestId('mcp-servers-empty').waitFor();
    expect((await admin.get<{ total: number }>('/api/mcp-servers')).body.total).toBe(0);
    const audit = (await admin.get<{ data: { action: string }[] }>('/api/audit?entity=mcp-server')).body.data.map((a) => a.action);
    expect(audit.sort()).toEqual(['create', 'delete', 'update', 'update']);
    expect(cb.pageErrors).toEqual([]);
  });
});
