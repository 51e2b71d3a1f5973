import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { maskSecret, SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import {
  badRequest,
  DomainError,
  mcpServerProblem,
  notFound,
  Subjects,
  type CreateMcpServer,
  type McpServerView,
  type RoutedMcpServer,
  type UpdateMcpServer,
} from '@switchboard/contracts';
import { Prisma, type McpServer } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import { McpServerRepository, type McpServers } from './mcp-server.repository';

type Headers = Record<string, string>;

/**
 * Organisations (SPEC §8): an org admin (`actorOrgId`) sees only its org's servers (another's, and the platform's,
 * read as absent) and may not hand one to another org; a platform asker (null) sees and places every server.
 */
export const inOrg = (actorOrgId: number | null, rowOrgId: number | null): boolean => actorOrgId === null || rowOrgId === actorOrgId;

function assertOwnOrg(actorOrgId: number | null, orgId: number | null | undefined): void {
  if (actorOrgId !== null && orgId !== undefined && orgId !== actorOrgId)
    throw new DomainError('forbidden', 403, 'orgId: an organisation admin cannot give an MCP server to another organisation or the platform', {
      field: 'orgId',
    });
}

/** orgId is the only foreign key a server write sets from its input. */
function noSuchOrg(e: unknown): never {
  if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2003') throw badRequest('orgId: no such organisation', { field: 'orgId' });
  throw e;
}

/**
 * `/api/mcp-servers`: the MCP servers the gateways front at /mcp/{name}. Header values are secrets (API keys of the
 * upstream): sealed with SECRET_KEY, answered and audited masked; every change is audited and pushed to the gateways
 * with the routing table, which carries the servers with their headers open (like channel keys).
 */
@Injectable()
export class McpServerService {
  private readonly logger = new Logger(McpServerService.name);
  private readonly box: SecretBox;

  constructor(
    @Inject(McpServerRepository) private readonly repo: McpServers,
    private readonly bus: Bus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
  }

  private headers(row: McpServer): Headers {
    if (!row.headersCiphertext) return {};
    const v: unknown = JSON.parse(this.box.decrypt(row.headersCiphertext));
    return v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {};
  }

  private seal(h: Headers): string | null {
    return Object.keys(h).length ? this.box.encrypt(JSON.stringify(h)) : null;
  }

  private view(row: McpServer, headers: Headers = this.headers(row)): McpServerView {
    return {
      name: row.name,
      type: row.type as McpServerView['type'],
      url: row.url,
      transport: row.transport as McpServerView['transport'],
      spec: row.spec ?? null,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, maskSecret(v)])),
      groups: row.groups,
      orgId: row.orgId,
      endpoints: { streamable: `/mcp/${row.name}`, sse: `/mcp/${row.name}/sse` },
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  private check(s: { type?: string; url?: string | null; spec?: unknown }): void {
    const problem = mcpServerProblem(s);
    if (problem) throw badRequest(`${problem.field}: ${problem.message}`, { field: problem.field });
  }

  async list(actorOrgId: number | null = null) {
    const data = (await this.repo.all()).filter((r) => inOrg(actorOrgId, r.orgId)).map((r) => this.view(r));
    return { data, total: data.length };
  }

  /** The server, if the asker's org may see it. */
  private async find(name: string, actorOrgId: number | null) {
    const row = await this.repo.find(name);
    if (!row || !inOrg(actorOrgId, row.orgId)) throw notFound(`MCP server "${name}"`);
    return row;
  }

  /** An org admin's server lands in its org; a platform asker's where `orgId` says (the platform's by default). */
  async create(body: CreateMcpServer, actor: string, actorOrgId: number | null = null): Promise<McpServerView> {
    this.check(body);
    assertOwnOrg(actorOrgId, body.orgId);
    const row = await this.repo
      .create(
        {
          name: body.name,
          type: body.type,
          url: body.url,
          transport: body.transport,
          spec: body.spec === null ? Prisma.DbNull : (body.spec as Prisma.InputJsonValue),
          headersCiphertext: this.seal(body.headers),
          groups: body.groups,
          orgId: actorOrgId ?? body.orgId ?? null,
        },
        (r) => ({ actor, action: 'create', entity: 'mcp-server', entityId: r.name, after: this.view(r, body.headers) }),
      )
      .catch(noSuchOrg);
    if (!row) throw new DomainError('conflict', 409, `an MCP server named "${body.name}" already exists`, { field: 'name' });
    this.changed();
    return this.view(row, body.headers);
  }

  async update(name: string, body: UpdateMcpServer, actor: string, actorOrgId: number | null = null): Promise<McpServerView> {
    const before = await this.find(name, actorOrgId);
    assertOwnOrg(actorOrgId, body.orgId);
    const current = this.headers(before);
    this.check({
      type: body.type ?? before.type,
      url: body.url !== undefined ? body.url : before.url,
      spec: body.spec !== undefined ? body.spec : before.spec,
    });
    // A value sent back exactly as it was read (masked) keeps the stored secret.
    const headers =
      body.headers === undefined
        ? undefined
        : Object.fromEntries(Object.entries(body.headers).map(([k, v]) => [k, k in current && v === maskSecret(current[k]) ? current[k] : v]));
    const row = await this.repo
      .update(
        name,
        {
          ...(body.type !== undefined ? { type: body.type } : {}),
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(body.transport !== undefined ? { transport: body.transport } : {}),
          ...(body.spec !== undefined ? { spec: body.spec === null ? Prisma.DbNull : (body.spec as Prisma.InputJsonValue) } : {}),
          ...(headers !== undefined ? { headersCiphertext: this.seal(headers) } : {}),
          ...(body.groups !== undefined ? { groups: body.groups } : {}),
          ...(body.orgId !== undefined ? { orgId: body.orgId } : {}),
        },
        (r) => ({ actor, action: 'update', entity: 'mcp-server', entityId: name, before: this.view(before, current), after: this.view(r, headers ?? current) }),
      )
      .catch(noSuchOrg);
    this.changed();
    return this.view(row, headers ?? current);
  }

  async remove(name: string, actor: string, actorOrgId: number | null = null): Promise<{ deleted: true }> {
    const before = await this.find(name, actorOrgId);
    if (!(await this.repo.remove(name, { actor, action: 'delete', entity: 'mcp-server', entityId: name, before: this.view(before) })))
      throw notFound(`MCP server "${name}"`);
    this.changed();
    return { deleted: true };
  }

  private changed(): void {
    this.bus.emit(Subjects.RouterTableChanged, { version: Date.now() });
  }

  /** Every server for the routing table, headers open; one whose headers this SECRET_KEY cannot open is left out. */
  async routed(): Promise<RoutedMcpServer[]> {
    const out: RoutedMcpServer[] = [];
    for (const row of await this.repo.all()) {
      try {
        const headers = this.headers(row);
        const revision = createHash('sha256')
          .update(JSON.stringify([row.type, row.url, row.transport, row.spec, headers]))
          .digest('base64url')
          .slice(0, 16);
        out.push({
          name: row.name,
          type: row.type as RoutedMcpServer['type'],
          url: row.url,
          transport: row.transport as RoutedMcpServer['transport'],
          spec: row.spec ?? null,
          headers,
          groups: row.groups,
          orgId: row.orgId,
          revision,
        });
      } catch {
        this.logger.error(`MCP server ${row.name}: its headers cannot be decrypted with this SECRET_KEY; left out`);
      }
    }
    return out;
  }
}
