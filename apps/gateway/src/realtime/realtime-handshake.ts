import type { IncomingHttpHeaders } from 'node:http';

/** OpenAI's path, and Azure's two (the SDK's `AzureOpenAI` dials `/openai/realtime?deployment=…&api-version=…`). */
export const REALTIME_PATHS: ReadonlySet<string> = new Set(['/v1/realtime', '/openai/realtime', '/openai/v1/realtime']);

/** Browsers cannot set headers on a WebSocket: they carry the key as a subprotocol (reference §4.4). */
export const INSECURE_KEY_PROTOCOL = 'openai-insecure-api-key.';
/** The subprotocol a browser must get back for its socket to open. */
export const REALTIME_PROTOCOL = 'realtime';
const BETA_PROTOCOL = 'openai-beta.realtime-v1';

/** What the gateway reads of a client's upgrade request. */
export interface RealtimeHandshake {
  model: string | null;
  /** the headers and query the key check reads (KeyAuthenticator), the subprotocol key as a Bearer header */
  keyCarriers: { headers: IncomingHttpHeaders; query: Record<string, string> };
  /** `OpenAI-Beta` for the upstream: the client's header, or `realtime=v1` for the beta subprotocol */
  beta: string | null;
}

/** The upgrade request of a Realtime session, or null when the path is not one. */
export function readHandshake(url: string, headers: IncomingHttpHeaders): RealtimeHandshake | null {
  const qi = url.indexOf('?');
  const path = (qi < 0 ? url : url.slice(0, qi)).replace(/\/+$/, '');
  if (!REALTIME_PATHS.has(path)) return null;
  const params = new URLSearchParams(qi < 0 ? '' : url.slice(qi + 1));
  const protocols = offeredProtocols(headers);
  const fromProtocol = protocols.find((p) => p.startsWith(INSECURE_KEY_PROTOCOL))?.slice(INSECURE_KEY_PROTOCOL.length);
  const keyHeaders: IncomingHttpHeaders = { ...headers };
  if (fromProtocol && !hasHeaderKey(headers)) keyHeaders.authorization = `Bearer ${fromProtocol}`;
  const query: Record<string, string> = {};
  const key = params.get('key');
  if (key) query.key = key;
  const beta = typeof headers['openai-beta'] === 'string' ? headers['openai-beta'] : protocols.includes(BETA_PROTOCOL) ? 'realtime=v1' : null;
  return { model: params.get('model') || params.get('deployment') || null, keyCarriers: { headers: keyHeaders, query }, beta };
}

export function offeredProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  if (typeof raw !== 'string') return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

function hasHeaderKey(h: IncomingHttpHeaders): boolean {
  return ['authorization', 'api-key', 'x-api-key'].some((n) => typeof h[n] === 'string' && h[n] !== '');
}
