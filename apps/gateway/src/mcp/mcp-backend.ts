import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolRequest, CallToolResult, ListToolsRequest, ListToolsResult, ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';

/**
 * What the gateway's MCP server answers from: an upstream MCP server (RemoteBackend, which also has resources and
 * prompts when the upstream does) or an OpenAPI document (OpenApiBackend, tools only).
 */
export interface McpBackend {
  readonly capabilities: ServerCapabilities;
  listTools(params?: ListToolsRequest['params']): Promise<ListToolsResult>;
  callTool(params: CallToolRequest['params']): Promise<CallToolResult>;
  /** the upstream client, for the resources and prompts it proxies (remote servers only) */
  readonly upstream?: Client;
  close(): Promise<void>;
}
