import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { DomainError, notFound, type RoutedMcpServer, type VerifiedToken } from '@switchboard/contracts';
import { processMetrics } from '@switchboard/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeyAuthenticator } from '../auth/key-authenticator';
import type { RawJsonBody } from '../relay/inbound';
import { RoutingTableService } from '../state/routing-table.service';
import { bridgeServer, type ToolCallObserver } from './mcp-bridge';
import { McpBackends } from './mcp-backends';
import type { McpBackend } from './mcp-backend';

interface SseSession {
  transport: SSEServerTransport;
  server: string;
  tokenId: number;
}

/** The JSON-RPC answer to a body that is not JSON (the transports need the parsed message). */
const parseError = (message: string) => ({ jsonrpc: '2.0', error: { code: -32700, message: `Parse error: ${message}` }, id: null });

/**
 * /mcp/{name}: the gateway as an MCP server to clients holding a gateway key of one of the server's groups, and as an
 * MCP client (or an HTTP client, for OpenAPI servers) to the upstream.
 * - Streamable HTTP is served stateless: each POST gets its own bridge over the shared backend, so any replica can
 *   answer any request and nothing is kept per client (GET and DELETE: 405, which clients accept).
 * - The old HTTP+SSE transport keeps its stream on the replica that opened it; its POSTs must reach that replica
 *   (one gateway process, or sticky routing).
 */
@Injectable()
export class McpGatewayService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('McpGateway');
  private readonly backends = new McpBackends();
  private readonly sse = new Map<string, SseSession>();
  private readonly metrics = processMetrics();

  constructor(
    private readonly auth: KeyAuthenticator,
    private readonly table: RoutingTableService,
  ) {}

  /**
   * The server and the token, or the refusal: 401 (the key), 404 (no such server), 403 (the key's group is not listed,
   * or the server is an organisation's and the key's user is not of it).
   */
  async admit(req: FastifyRequest, name: string): Promise<{ server: RoutedMcpServer; token: VerifiedToken }> {
    const token = await this.auth.authenticate(req);
    await this.table.ensureLoaded();
    const server = this.table.mcpServer(name);
    if (!server) throw notFound(`MCP server "${name}"`);
    if (!server.groups.includes(token.group.name))
      throw new DomainError('forbidden', 403, `API keys of the group "${token.group.name}" may not use the MCP server "${name}".`);
    if (server.orgId !== null && token.user.orgId !== server.orgId)
      throw new DomainError('forbidden', 403, `The MCP server "${name}" belongs to an organisation this API key's user is not in.`);
    return { server, token };
  }

  private async backend(server: RoutedMcpServer): Promise<McpBackend> {
    this.backends.retain(this.table.mcpServerNames());
    try {
      return await this.backends.get(server);
    } catch (e) {
      this.logger.warn(`MCP server ${server.name}: upstream not reachable: ${(e as Error).message}`);
      throw new DomainError('upstream_unavailable', 502, `The MCP server "${server.name}" could not be reached upstream.`);
    }
  }

  private observer(server: string, token: VerifiedToken): ToolCallObserver {
    return (tool, outcome, ms, error) => {
      this.metrics.mcpToolCalls.inc({ server, outcome });
      this.metrics.mcpToolCallSeconds.observe({ server }, ms / 1000);
      const line = `mcp tool call server=${server} tool=${tool} token=${token.tokenId} outcome=${outcome} durationMs=${Math.round(ms)}`;
      if (outcome === 'failed') this.logger.warn(`${line} error=${JSON.stringify((error as Error)?.message ?? String(error))}`);
      else this.logger.log(line);
    };
  }

  /** A bridge to the server's backend as the table has it at each request (an SSE session outlives edits). */
  private bridge(server: RoutedMcpServer, backend: McpBackend, token: VerifiedToken) {
    const current = () => {
      const now = this.table.mcpServer(server.name);
      return now ? this.backend(now) : Promise.resolve(backend);
    };
    return bridgeServer(server.name, backend.capabilities, current, this.observer(server.name, token), (e) => this.backends.failed(server.name, e));
  }

  /** POST /mcp/{name}: one JSON-RPC message, answered as JSON. */
  async streamable(req: FastifyRequest, reply: FastifyReply, name: string): Promise<void> {
    const { server, token } = await this.admit(req, name);
    const body = req.body as RawJsonBody | undefined;
    if (!body || body.parseError !== undefined) {
      void reply.status(400).send(parseError(body?.parseError ?? 'the body must be a JSON-RPC message'));
      return;
    }
    const backend = await this.backend(server);
    const mcp = this.bridge(server, backend, token);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await mcp.connect(transport);
    reply.hijack();
    reply.raw.on('close', () => void mcp.close().catch(() => undefined));
    await transport.handleRequest(req.raw, reply.raw, body.json);
  }

  /** GET /mcp/{name}/sse: the stream of an HTTP+SSE session; its first event names where to POST. */
  async openSse(req: FastifyRequest, reply: FastifyReply, name: string): Promise<void> {
    const { server, token } = await this.admit(req, name);
    const backend = await this.backend(server);
    const mcp = this.bridge(server, backend, token);
    reply.hijack();
    const transport = new SSEServerTransport(`/mcp/${encodeURIComponent(name)}/messages`, reply.raw);
    const id = transport.sessionId;
    this.sse.set(id, { transport, server: name, tokenId: token.tokenId });
    transport.onclose = () => this.sse.delete(id);
    reply.raw.on('close', () => {
      this.sse.delete(id);
      void mcp.close().catch(() => undefined);
    });
    await mcp.connect(transport);
  }

  /** POST /mcp/{name}/messages?sessionId=…: a message of an SSE session, by the key that opened it. */
  async postSse(req: FastifyRequest, reply: FastifyReply, name: string): Promise<void> {
    const { token } = await this.admit(req, name);
    const id = (req.query as Record<string, unknown>).sessionId;
    const session = typeof id === 'string' ? this.sse.get(id) : undefined;
    if (!session || session.server !== name || session.tokenId !== token.tokenId) throw notFound('MCP session');
    const body = req.body as RawJsonBody | undefined;
    if (!body || body.parseError !== undefined) {
      void reply.status(400).send(parseError(body?.parseError ?? 'the body must be a JSON-RPC message'));
      return;
    }
    reply.hijack();
    await session.transport.handlePostMessage(req.raw, reply.raw, body.json);
  }

  /** SSE streams never end by themselves: closed before the server waits for its connections. */
  async beforeApplicationShutdown(): Promise<void> {
    const sessions = [...this.sse.values()];
    this.sse.clear();
    await Promise.all(sessions.map((s) => s.transport.close().catch(() => undefined)));
    this.backends.closeAll();
  }
}
