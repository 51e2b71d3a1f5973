import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export type McpTransportKind = 'streamable' | 'sse';

/** The SDK's own Client, connected to the gateway's /mcp/{name} (streamable) or /mcp/{name}/sse with a gateway key. */
export async function connectMcp(gateway: string, name: string, key: string, kind: McpTransportKind): Promise<Client> {
  const client = new Client({ name: 'switchboard-e2e', version: '1.0.0' });
  const requestInit = { headers: { Authorization: `Bearer ${key}` } };
  const transport =
    kind === 'streamable'
      ? new StreamableHTTPClientTransport(new URL(`${gateway}/mcp/${name}`), { requestInit })
      : new SSEClientTransport(new URL(`${gateway}/mcp/${name}/sse`), { requestInit });
  await client.connect(transport);
  return client;
}

/** The text of a tool call's answer. */
export const textOf = (r: unknown): string => (r as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('');
