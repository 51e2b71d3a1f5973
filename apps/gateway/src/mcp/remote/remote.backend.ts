import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolRequest, CallToolResult, ListToolsRequest, ListToolsResult, ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { RoutedMcpServer } from '@switchboard/contracts';
import type { McpBackend } from '../mcp-backend';

const CLIENT_INFO = { name: 'switchboard-mcp-gateway', version: '1' };

/** `auto` reads an URL ending in /sse as an old HTTP+SSE endpoint; anything else is tried as streamable HTTP first. */
export const wantsSse = (server: Pick<RoutedMcpServer, 'url' | 'transport'>): boolean =>
  server.transport === 'sse' || (server.transport === 'auto' && /\/sse\/?$/.test(new URL(server.url ?? 'http://x/').pathname));

/**
 * A `remote` server: one MCP client session to the upstream per gateway process and server revision, shared by every
 * client of /mcp/{name} (the upstream sees the gateway, never the end user's key; its headers are the server's).
 */
export class RemoteBackend implements McpBackend {
  private constructor(
    readonly upstream: Client,
    readonly capabilities: ServerCapabilities,
  ) {}

  static async connect(server: RoutedMcpServer): Promise<RemoteBackend> {
    const url = new URL(server.url ?? '');
    const requestInit = { headers: server.headers };
    if (!wantsSse(server)) {
      const client = new Client(CLIENT_INFO);
      try {
        await client.connect(new StreamableHTTPClientTransport(url, { requestInit }));
        return RemoteBackend.of(client);
      } catch (e) {
        await client.close().catch(() => undefined);
        if (server.transport === 'streamable') throw e;
      }
    }
    const client = new Client(CLIENT_INFO);
    await client.connect(new SSEClientTransport(url, { requestInit }));
    return RemoteBackend.of(client);
  }

  private static of(client: Client): RemoteBackend {
    const upstream = client.getServerCapabilities() ?? {};
    // What the gateway proxies: tools, resources and prompts (list-changed notifications are not relayed).
    const capabilities: ServerCapabilities = {
      ...(upstream.tools ? { tools: {} } : {}),
      ...(upstream.resources ? { resources: {} } : {}),
      ...(upstream.prompts ? { prompts: {} } : {}),
    };
    return new RemoteBackend(client, capabilities);
  }

  listTools(params?: ListToolsRequest['params']): Promise<ListToolsResult> {
    return this.upstream.listTools(params);
  }

  async callTool(params: CallToolRequest['params']): Promise<CallToolResult> {
    return (await this.upstream.callTool(params)) as CallToolResult;
  }

  close(): Promise<void> {
    return this.upstream.close();
  }
}
