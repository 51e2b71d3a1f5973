import { z } from 'zod';

/**
 * MCP servers the gateway fronts at `/mcp/{name}` (SPEC §8): an upstream MCP server (`remote`) or an OpenAPI 3
 * document whose operations become tools (`openapi`). Only tokens of a listed group may connect; an empty list closes
 * the server to everybody (a server is never open to all groups by accident).
 */
export const MCP_SERVER_TYPES = ['remote', 'openapi'] as const;
export const MCP_TRANSPORTS = ['auto', 'streamable', 'sse'] as const;

const httpUrl = z
  .string()
  .trim()
  .url('must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must be http(s)' });

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name');

/** An OpenAPI 3 document: an object with `openapi: "3.x"` and `paths`, or the http(s) URL it is read from. */
const spec = z.unknown().superRefine((v, ctx) => {
  if (typeof v === 'string') {
    if (!httpUrl.safeParse(v).success) ctx.addIssue({ code: 'custom', message: 'must be an OpenAPI 3 document or its http(s) URL' });
    return;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: 'must be an OpenAPI 3 document (an object) or its http(s) URL' });
    return;
  }
  const doc = v as { openapi?: unknown; paths?: unknown };
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.'))
    ctx.addIssue({ code: 'custom', message: 'must be an OpenAPI 3 document (openapi: "3.x")' });
  else if (!doc.paths || typeof doc.paths !== 'object' || Array.isArray(doc.paths)) ctx.addIssue({ code: 'custom', message: 'must have paths' });
}) as z.ZodType<string | Record<string, unknown>>;

const fields = {
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -'),
  type: z.enum(MCP_SERVER_TYPES),
  /** remote: the upstream MCP endpoint; openapi: overrides the document's server URL */
  url: httpUrl.nullable(),
  /** remote only: how to reach it (`auto`: SSE when the URL ends in /sse, else streamable HTTP falling back to SSE) */
  transport: z.enum(MCP_TRANSPORTS),
  spec: spec.nullable(),
  /** sent upstream with every request (secrets: stored sealed, answered masked) */
  headers: z.record(headerName, z.string().max(8192)),
  /** the token groups allowed to connect; empty: nobody */
  groups: z.array(z.string().trim().min(1).max(128)).max(1000),
  /** the owning organisation (only its users' keys connect); null = the platform's. An org admin's land in its own. */
  orgId: z.number().int('must be a whole number').min(1).max(2_147_483_647).nullable(),
};

type Shape = { type?: string; url?: string | null; spec?: unknown };

/** An inline document travels in every routing table (one bus message): a larger one is given by its URL. */
export const MAX_INLINE_SPEC_BYTES = 256 * 1024;

/** The cross-field rules of a whole server (checked after an update is merged into the stored one). */
export function mcpServerProblem(s: Shape): { field: string; message: string } | null {
  if (s.type === 'remote' && !s.url) return { field: 'url', message: 'a remote server needs the url of its MCP endpoint' };
  if (s.type === 'remote' && s.spec) return { field: 'spec', message: 'only an openapi server has a spec' };
  if (s.type === 'openapi' && !s.spec) return { field: 'spec', message: 'an openapi server needs its OpenAPI 3 document (an object or its URL)' };
  if (s.spec && typeof s.spec === 'object' && new TextEncoder().encode(JSON.stringify(s.spec)).length > MAX_INLINE_SPEC_BYTES)
    return { field: 'spec', message: `the document is over ${MAX_INLINE_SPEC_BYTES / 1024} KB inline: give its URL instead` };
  return null;
}

export const CreateMcpServer = z
  .object({
    ...fields,
    url: fields.url.default(null),
    transport: fields.transport.default('auto'),
    spec: fields.spec.default(null),
    headers: fields.headers.default({}),
    groups: fields.groups.default(['default']),
    orgId: fields.orgId.optional(),
  })
  .strict();
export type CreateMcpServer = z.infer<typeof CreateMcpServer>;

/** The fields to change; `name` is the path's. A header value sent back masked keeps the stored one. */
export const UpdateMcpServer = z
  .object({ ...fields })
  .omit({ name: true })
  .partial()
  .strict();
export type UpdateMcpServer = z.infer<typeof UpdateMcpServer>;

export const McpServerView = z.object({
  name: z.string(),
  type: z.enum(MCP_SERVER_TYPES),
  url: z.string().nullable(),
  transport: z.enum(MCP_TRANSPORTS),
  spec: z.unknown(),
  /** names visible, values masked */
  headers: z.record(z.string(), z.string()),
  groups: z.array(z.string()),
  orgId: z.number().int().nullable(),
  /** where clients connect: streamable HTTP and SSE */
  endpoints: z.object({ streamable: z.string(), sse: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type McpServerView = z.infer<typeof McpServerView>;

/** A server as the gateways serve it: headers open (the routing table already carries channel keys). */
export const RoutedMcpServer = z.object({
  name: z.string(),
  type: z.enum(MCP_SERVER_TYPES),
  url: z.string().nullable(),
  transport: z.enum(MCP_TRANSPORTS),
  spec: z.unknown(),
  headers: z.record(z.string(), z.string()),
  groups: z.array(z.string()),
  /** an org's server admits only keys of that org's users; absent from an older router = the platform's */
  orgId: z.number().int().nullable().default(null),
  /** changes whenever the server's configuration does: the gateway reconnects upstream on a new one */
  revision: z.string(),
});
export type RoutedMcpServer = z.infer<typeof RoutedMcpServer>;
