import type { AppConfig } from '@switchboard/config';
import { CreateMcpServer, UpdateMcpServer } from '@switchboard/contracts';
import { Prisma, type AuditEntry, type McpServer } from '@switchboard/db';
import type { Bus } from '@switchboard/messaging';
import type { McpServers } from './mcp-server.repository';
import { McpServerService } from './mcp-server.service';

function setup() {
  const rows = new Map<string, McpServer>();
  const audits: AuditEntry[] = [];
  const now = new Date();
  // what Prisma stores and reads back: DbNull is SQL NULL
  const stored = <T extends { spec?: unknown }>(d: T) => (d.spec === Prisma.DbNull ? { ...d, spec: null } : d);
  const repo: McpServers = {
    all: async () => [...rows.values()],
    find: async (name) => rows.get(name) ?? null,
    create: async (data, audit) => {
      if (rows.has(data.name)) return null;
      const row = {
        transport: 'auto',
        url: null,
        headersCiphertext: null,
        groups: [],
        orgId: null,
        ...stored(data),
        spec: stored(data).spec ?? null,
        createdAt: now,
        updatedAt: now,
      } as McpServer;
      rows.set(row.name, row);
      audits.push(audit(row));
      return row;
    },
    update: async (name, data, audit) => {
      const row = { ...rows.get(name)!, ...stored(data) } as McpServer;
      rows.set(name, row);
      audits.push(audit(row));
      return row;
    },
    remove: async (name, audit) => {
      audits.push(audit);
      return rows.delete(name);
    },
  };
  const emitted: unknown[] = [];
  const bus = { emit: (s: string, e: unknown) => emitted.push([s, e]) } as unknown as Bus;
  return { service: new McpServerService(repo, bus, { SECRET_KEY: 'ab'.repeat(32) } as AppConfig), rows, audits, emitted };
}

const remote = (over: Record<string, unknown> = {}) =>
  CreateMcpServer.parse({ name: 'docs', type: 'remote', url: 'https://mcp.example/mcp', headers: { Authorization: 'Bearer upstream-secret-value' }, ...over });

describe('McpServerService', () => {
  it('seals header values, answers and audits them masked, and opens them for the routing table', async () => {
    const { service, rows, audits, emitted } = setup();
    const view = await service.create(remote(), 'admin');
    expect(view).toMatchObject({ name: 'docs', groups: ['default'], transport: 'auto', endpoints: { streamable: '/mcp/docs', sse: '/mcp/docs/sse' } });
    expect(view.headers.Authorization).not.toContain('secret');
    expect(JSON.stringify(rows.get('docs'))).not.toContain('upstream-secret');
    expect(JSON.stringify(audits)).not.toContain('upstream-secret');
    expect(emitted).toHaveLength(1);
    const [routed] = await service.routed();
    expect(routed).toMatchObject({ name: 'docs', headers: { Authorization: 'Bearer upstream-secret-value' }, groups: ['default'] });
  });

  it('keeps a header sent back masked, changes the revision only when the upstream side changes', async () => {
    const { service } = setup();
    const view = await service.create(remote(), 'admin');
    const [before] = await service.routed();
    await service.update('docs', UpdateMcpServer.parse({ groups: ['a', 'b'], headers: { ...view.headers, 'X-Extra': '1' } }), 'admin');
    const [after] = await service.routed();
    expect(after.headers).toEqual({ Authorization: 'Bearer upstream-secret-value', 'X-Extra': '1' });
    expect(after.groups).toEqual(['a', 'b']);
    expect(after.revision).not.toBe(before.revision);
    await service.update('docs', UpdateMcpServer.parse({ groups: [] }), 'admin');
    expect((await service.routed())[0].revision).toBe(after.revision);
  });

  it('refuses what cannot work, naming the field: a remote without url, an openapi without spec, a duplicate, an unknown name', async () => {
    const { service } = setup();
    await expect(service.create(CreateMcpServer.parse({ name: 'x', type: 'remote' }), 'admin')).rejects.toMatchObject({
      status: 400,
      details: { field: 'url' },
    });
    await expect(service.create(CreateMcpServer.parse({ name: 'x', type: 'openapi' }), 'admin')).rejects.toMatchObject({
      status: 400,
      details: { field: 'spec' },
    });
    const huge = { openapi: '3.0.0', paths: {}, info: { description: 'x'.repeat(300 * 1024) } };
    await expect(service.create(CreateMcpServer.parse({ name: 'x', type: 'openapi', spec: huge }), 'admin')).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('URL'),
    });
    await service.create(remote(), 'admin');
    await expect(service.create(remote(), 'admin')).rejects.toMatchObject({ status: 409 });
    await expect(service.update('docs', UpdateMcpServer.parse({ url: null }), 'admin')).rejects.toMatchObject({ status: 400, details: { field: 'url' } });
    await expect(service.update('nope', {}, 'admin')).rejects.toMatchObject({ status: 404 });
    await expect(service.remove('nope', 'admin')).rejects.toMatchObject({ status: 404 });
    expect(CreateMcpServer.safeParse({ name: 'x', type: 'openapi', spec: { swagger: '2.0', paths: {} } }).error?.issues[0].message).toContain('OpenAPI 3');
  });

  describe('organisations: an org admin (actorOrgId) is confined to its org', () => {
    it("lists, updates and deletes only its org's servers; another org's and the platform's read as absent (404)", async () => {
      const { service } = setup();
      await service.create(remote({ name: 'a-docs' }), 'a-admin', 1);
      await service.create(remote({ name: 'b-docs', orgId: 2 }), 'root');
      await service.create(remote({ name: 'shared' }), 'root');
      expect((await service.list(1)).data.map((v) => [v.name, v.orgId])).toEqual([['a-docs', 1]]);
      expect((await service.list(null)).total).toBe(3);
      for (const attempt of [
        service.update('b-docs', UpdateMcpServer.parse({ groups: [] }), 'a-admin', 1),
        service.update('shared', UpdateMcpServer.parse({ groups: [] }), 'a-admin', 1),
        service.remove('b-docs', 'a-admin', 1),
        service.remove('shared', 'a-admin', 1),
      ]) {
        await expect(attempt).rejects.toMatchObject({ status: 404 });
      }
      expect((await service.update('a-docs', UpdateMcpServer.parse({ groups: ['a-team'] }), 'a-admin', 1)).groups).toEqual(['a-team']);
      expect(await service.remove('a-docs', 'a-admin', 1)).toEqual({ deleted: true });
      expect((await service.list(null)).data.map((v) => v.name)).toEqual(['b-docs', 'shared']);
    });

    it('lands its servers in its org; handing one to another org or the platform is a 403 on orgId; a root places any', async () => {
      const { service } = setup();
      expect((await service.create(remote({ name: 'mine', orgId: 1 }), 'a-admin', 1)).orgId).toBe(1);
      for (const attempt of [
        service.create(remote({ name: 'theirs', orgId: 2 }), 'a-admin', 1),
        service.create(remote({ name: 'platform', orgId: null }), 'a-admin', 1),
        service.update('mine', UpdateMcpServer.parse({ orgId: 2 }), 'a-admin', 1),
        service.update('mine', UpdateMcpServer.parse({ orgId: null }), 'a-admin', 1),
      ]) {
        await expect(attempt).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/^orgId: /) });
      }
      expect((await service.update('mine', UpdateMcpServer.parse({ orgId: 2 }), 'root', null)).orgId).toBe(2);
      expect((await service.create(remote({ name: 'p' }), 'root', null)).orgId).toBeNull();
      expect((await service.routed()).map((r) => [r.name, r.orgId])).toEqual([
        ['mine', 2],
        ['p', null],
      ]);
    });
  });
});
