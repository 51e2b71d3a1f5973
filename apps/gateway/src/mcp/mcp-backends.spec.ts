import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { RoutedMcpServer } from '@switchboard/contracts';
import type { McpBackend } from './mcp-backend';
import { McpBackends } from './mcp-backends';

const server = (revision: string, over: Partial<RoutedMcpServer> = {}): RoutedMcpServer => ({
  name: 'calc',
  type: 'remote',
  url: 'http://h/mcp',
  transport: 'auto',
  spec: null,
  headers: {},
  groups: ['default'],
  orgId: null,
  revision,
  ...over,
});

function setup() {
  const made: { revision: string; closed: boolean }[] = [];
  let fail = false;
  const backends = new McpBackends(async (s) => {
    if (fail) throw new Error('unreachable');
    const entry = { revision: s.revision, closed: false };
    made.push(entry);
    return { capabilities: {}, close: async () => void (entry.closed = true) } as unknown as McpBackend;
  });
  return { backends, made, failNext: (v: boolean) => (fail = v) };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('McpBackends', () => {
  it('shares one backend per server revision and replaces (closing) it when the server is edited', async () => {
    const { backends, made } = setup();
    const a = await backends.get(server('r1'));
    expect(await backends.get(server('r1'))).toBe(a);
    await backends.get(server('r2'));
    await flush();
    expect(made).toEqual([
      { revision: 'r1', closed: true },
      { revision: 'r2', closed: false },
    ]);
  });

  it('keeps a backend through an MCP error answer, drops it after a transport failure, and retries a failed connect', async () => {
    const { backends, made, failNext } = setup();
    const first = await backends.get(server('r1'));
    backends.failed('calc', new McpError(ErrorCode.InvalidParams, 'unknown tool'));
    expect(await backends.get(server('r1'))).toBe(first);
    backends.failed('calc', new Error('socket hang up'));
    await flush();
    expect(made[0].closed).toBe(true);
    failNext(true);
    await expect(backends.get(server('r1'))).rejects.toThrow('unreachable');
    failNext(false);
    expect(await backends.get(server('r1'))).not.toBe(first);
    backends.retain(new Set());
    await flush();
    expect(made.map((m) => m.closed)).toEqual([true, true]);
  });
});
