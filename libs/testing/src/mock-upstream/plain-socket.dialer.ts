import net from 'node:net';
import type { ClientOptions } from 'ws';

/**
 * The openai SDK's Realtime clients always dial `wss://` (they rewrite the base URL's scheme), while the mock and a
 * test gateway listen on plain HTTP. These `ws` options make that socket a plain TCP one to `httpUrl`'s host and port,
 * so the SDK is driven unchanged (the handshake, headers and frames are the same; only TLS is left out).
 */
export function plainSocketTo(httpUrl: string): Pick<ClientOptions, 'createConnection'> {
  const u = new URL(httpUrl);
  return { createConnection: () => net.connect(Number(u.port), u.hostname) };
}
