import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ErrorCode,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpBackend } from './mcp-backend';

/** The outcome of one tool call: ok; error (the tool answered isError); failed (no answer: unreachable, refused). */
export type ToolCallOutcome = 'ok' | 'error' | 'failed';
export type ToolCallObserver = (tool: string, outcome: ToolCallOutcome, durationMs: number, error?: unknown) => void;

/**
 * An upstream's JSON-RPC error as the client gets it: its code, data and bare message (McpError's message carries an
 * `MCP error <code>:` prefix the client's SDK adds again).
 */
function relayed(e: unknown): unknown {
  if (!(e instanceof McpError)) return e;
  return Object.assign(new Error(e.message.replace(/^(MCP error -?\d+: )+/, '')), { code: e.code, data: e.data });
}

/**
 * The MCP server a client of /mcp/{name} talks to: each request answered from the server's current backend (the gateway
 * is a server to the client and a client to the upstream; a long SSE session follows edits and reconnections), every
 * tool call timed and reported to `observe`.
 */
export function bridgeServer(
  name: string,
  capabilities: ServerCapabilities,
  backend: () => Promise<McpBackend>,
  observe: ToolCallObserver,
  onFailure: (e: unknown) => void,
): Server {
  const server = new Server({ name: `switchboard/${name}`, version: '1' }, { capabilities });
  const failing = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      onFailure(e);
      throw relayed(e);
    });
  const upstream = () =>
    backend().then((b) => {
      if (!b.upstream) throw new McpError(ErrorCode.MethodNotFound, 'Method not found');
      return b.upstream;
    });
  if (capabilities.tools) {
    server.setRequestHandler(ListToolsRequestSchema, (req) => failing(backend().then((b) => b.listTools(req.params))));
    server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
      const started = performance.now();
      try {
        const result = await (await backend()).callTool(req.params);
        observe(req.params.name, result.isError ? 'error' : 'ok', performance.now() - started);
        return result;
      } catch (e) {
        observe(req.params.name, 'failed', performance.now() - started, e);
        onFailure(e);
        throw relayed(e);
      }
    });
  }
  if (capabilities.resources) {
    server.setRequestHandler(ListResourcesRequestSchema, (req) => failing(upstream().then((u) => u.listResources(req.params))));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, (req) => failing(upstream().then((u) => u.listResourceTemplates(req.params))));
    server.setRequestHandler(ReadResourceRequestSchema, (req) => failing(upstream().then((u) => u.readResource(req.params))));
  }
  if (capabilities.prompts) {
    server.setRequestHandler(ListPromptsRequestSchema, (req) => failing(upstream().then((u) => u.listPrompts(req.params))));
    server.setRequestHandler(GetPromptRequestSchema, (req) => failing(upstream().then((u) => u.getPrompt(req.params))));
  }
  return server;
}
