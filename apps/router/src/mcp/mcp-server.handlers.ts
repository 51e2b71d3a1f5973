import type { AdminCall } from '@switchboard/contracts';
import type { McpServerService } from './mcp-server.service';

/** router.admin.v1's `mcp-servers.*` operations. */
export const mcpServerHandlers = (m: McpServerService) => ({
  'mcp-servers.list': () => m.list(),
  'mcp-servers.create': (c: AdminCall<'mcp-servers.create'>) => m.create(c.body, c.actor),
  'mcp-servers.update': (c: AdminCall<'mcp-servers.update'>) => m.update(c.id, c.body, c.actor),
  'mcp-servers.delete': (c: AdminCall<'mcp-servers.delete'>) => m.remove(c.id, c.actor),
});
