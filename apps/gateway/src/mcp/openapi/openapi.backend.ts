import type { CallToolRequest, CallToolResult, ListToolsResult } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { RoutedMcpServer } from '@switchboard/contracts';
import { request } from 'undici';
import type { McpBackend } from '../mcp-backend';
import { requestOf, serverUrlOf, toolsFromOpenApi, type OpenApiTool } from './openapi-tools';

/** What a tool answers at most; a longer response body is cut (the model reads it, the gateway holds it). */
export const MAX_RESPONSE_CHARS = 1024 * 1024;
const TIMEOUT_MS = 30_000;

async function readDocument(server: RoutedMcpServer): Promise<{ doc: Record<string, unknown>; from?: string }> {
  if (typeof server.spec !== 'string') return { doc: server.spec as Record<string, unknown> };
  const res = await request(server.spec, { headers: { accept: 'application/json', ...server.headers }, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  if (res.statusCode >= 400) {
    await res.body.dump();
    throw new Error(`reading the OpenAPI document at ${server.spec} answered ${res.statusCode}`);
  }
  const doc = (await res.body.json()) as Record<string, unknown>;
  if (!doc || typeof doc !== 'object' || typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.'))
    throw new Error(`${server.spec} is not an OpenAPI 3 document`);
  return { doc, from: server.spec };
}

/** An `openapi` server: its operations as tools, a call as the HTTP request against the document's server (or `url`). */
export class OpenApiBackend implements McpBackend {
  readonly capabilities = { tools: {} };

  private constructor(
    private readonly server: RoutedMcpServer,
    private readonly tools: Map<string, OpenApiTool>,
    private readonly baseUrl: string | null,
  ) {}

  static async load(server: RoutedMcpServer): Promise<OpenApiBackend> {
    const { doc, from } = await readDocument(server);
    const tools = toolsFromOpenApi(doc);
    return new OpenApiBackend(server, new Map(tools.map((t) => [t.name, t])), server.url ?? serverUrlOf(doc, from));
  }

  listTools(): Promise<ListToolsResult> {
    return Promise.resolve({
      tools: [...this.tools.values()].map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: t.inputSchema })),
    });
  }

  async callTool(params: CallToolRequest['params']): Promise<CallToolResult> {
    const tool = this.tools.get(params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${params.name} not found`);
    if (!this.baseUrl) return { isError: true, content: [{ type: 'text', text: 'The OpenAPI document names no server: set the MCP server’s url.' }] };
    const call = requestOf(tool, this.baseUrl, params.arguments ?? {}, this.server.headers);
    const res = await request(call.url, {
      method: call.method as 'GET',
      headers: call.headers,
      body: call.body,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    let text = '';
    for await (const chunk of res.body) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length > MAX_RESPONSE_CHARS) {
        text = text.slice(0, MAX_RESPONSE_CHARS);
        res.body.destroy();
        break;
      }
    }
    if (res.statusCode >= 400) return { isError: true, content: [{ type: 'text', text: `HTTP ${res.statusCode}${text ? `: ${text}` : ''}` }] };
    return { content: [{ type: 'text', text }] };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
