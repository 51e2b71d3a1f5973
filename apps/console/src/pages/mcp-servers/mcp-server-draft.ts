/** The MCP server form (headers as `Name: value` lines, the spec as JSON text or a URL) and its admin API bodies. */

export type McpServerType = 'remote' | 'openapi';
export type McpTransport = 'auto' | 'streamable' | 'sse';

export interface McpServerDraft {
  name: string;
  type: McpServerType;
  url: string;
  transport: McpTransport;
  /** an OpenAPI document as JSON, or its URL */
  spec: string;
  /** one `Name: value` per line; masked values sent back unchanged keep the stored secret */
  headers: string;
  groups: string[];
  /** the owning organisation's id as the select holds it; '' = the platform (a root's choice, never sent otherwise) */
  orgId: string;
}

export interface McpServerRead {
  name: string;
  type: McpServerType;
  url: string | null;
  transport: McpTransport;
  spec: unknown;
  headers: Record<string, string>;
  groups: string[];
  orgId: number | null;
}

export const emptyMcpServerDraft = (): McpServerDraft => ({
  name: '',
  type: 'remote',
  url: '',
  transport: 'auto',
  spec: '',
  headers: '',
  groups: ['default'],
  orgId: '',
});

export const mcpServerToDraft = (s: McpServerRead): McpServerDraft => ({
  name: s.name,
  type: s.type,
  url: s.url ?? '',
  transport: s.transport,
  spec: s.spec == null ? '' : typeof s.spec === 'string' ? s.spec : JSON.stringify(s.spec, null, 2),
  headers: Object.entries(s.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n'),
  groups: [...s.groups],
  orgId: s.orgId === null ? '' : String(s.orgId),
});

/** `Name: value` lines as a map; a line without a colon is kept as a name with an empty value, so the API names it. */
export function parseHeaderLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf(':');
    if (at < 0) out[line.trim()] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** The spec field: a JSON document when it parses as an object, else the text as typed (a URL, or a mistake the API names). */
export function parseSpec(text: string): unknown {
  const t = text.trim();
  if (!t) return null;
  if (t.startsWith('{')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t;
    }
  }
  return t;
}

/**
 * The body of POST /api/mcp-servers (PATCH drops `name`): a remote server sends no spec, an OpenAPI one no transport.
 * The owner only when `choosesOwner` (a root): an org admin's servers stay in its organisation without saying so.
 */
export function mcpServerDraftToBody(d: McpServerDraft, choosesOwner: boolean) {
  const remote = d.type === 'remote';
  return {
    name: d.name.trim(),
    type: d.type,
    url: d.url.trim() || null,
    ...(remote ? { transport: d.transport } : {}),
    spec: remote ? null : parseSpec(d.spec),
    headers: parseHeaderLines(d.headers),
    groups: d.groups,
    ...(choosesOwner ? { orgId: d.orgId === '' ? null : Number(d.orgId) } : {}),
  };
}
