import type { AdminCall } from '@switchboard/contracts';
import type { McpServerService } from './mcp-server.service';

/** router.admin.v1's `mcp-servers.*` operations (`actorOrgId` confines an org admin to its org's servers). */
export const mcpServerHandlers = (m: McpServerService) => ({
  'mcp-servers.list': (c: AdminCall<'mcp-servers.list'>) => m.list(c.actorOrgId ?? null),
  'mcp-servers.create': (c: AdminCall<'mcp-servers.create'>) => m.create(c.body, c.actor, c.actorOrgId ?? null),
  'mcp-servers.update': (c: AdminCall<'mcp-servers.update'>) => m.update(c.id, c.body, c.actor, c.actorOrgId ?? null),
  'mcp-servers.delete': (c: AdminCall<'mcp-servers.delete'>) => m.remove(c.id, c.actor, c.actorOrgId ?? null),
});
