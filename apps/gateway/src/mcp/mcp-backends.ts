import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { RoutedMcpServer } from '@switchboard/contracts';
import type { McpBackend } from './mcp-backend';
import { OpenApiBackend } from './openapi/openapi.backend';
import { RemoteBackend } from './remote/remote.backend';

/** An OpenAPI document read from a URL is read again after this long (an inline one only when it is edited). */
export const DOCUMENT_TTL_MS = 5 * 60_000;

interface Entry {
  revision: string;
  backend: Promise<McpBackend>;
  expiresAt: number;
}

/**
 * The backends of this process, one per server and revision: an upstream MCP session or a loaded OpenAPI document is
 * made on first use and shared by every client after it. A new revision (the server was edited) replaces it; a
 * backend that failed (not an MCP error answer: the connection) is dropped, so the next request connects again.
 */
export class McpBackends {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly make: (s: RoutedMcpServer) => Promise<McpBackend> = makeBackend) {}

  get(server: RoutedMcpServer): Promise<McpBackend> {
    const now = Date.now();
    const entry = this.entries.get(server.name);
    if (entry && entry.revision === server.revision && entry.expiresAt > now) return entry.backend;
    if (entry) this.close(server.name, entry);
    const backend = this.make(server);
    const fresh: Entry = {
      revision: server.revision,
      backend,
      expiresAt: server.type === 'openapi' && typeof server.spec === 'string' ? now + DOCUMENT_TTL_MS : Infinity,
    };
    this.entries.set(server.name, fresh);
    backend.catch(() => this.forget(server.name, fresh));
    return backend;
  }

  /** After a failure: a transport error drops the backend; an MCP error is an answer, the session is fine. */
  failed(name: string, error: unknown): void {
    if (error instanceof McpError) return;
    const entry = this.entries.get(name);
    if (entry) this.close(name, entry);
  }

  /** Backends of servers no longer in the table are closed. */
  retain(names: ReadonlySet<string>): void {
    for (const [name, entry] of this.entries) if (!names.has(name)) this.close(name, entry);
  }

  closeAll(): void {
    for (const [name, entry] of this.entries) this.close(name, entry);
  }

  private forget(name: string, entry: Entry): void {
    if (this.entries.get(name) === entry) this.entries.delete(name);
  }

  private close(name: string, entry: Entry): void {
    this.forget(name, entry);
    entry.backend.then((b) => b.close()).catch(() => undefined);
  }
}

function makeBackend(server: RoutedMcpServer): Promise<McpBackend> {
  return server.type === 'remote' ? RemoteBackend.connect(server) : OpenApiBackend.load(server);
}
