import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { anthropicCountTokens, anthropicMessages, anthropicModels } from './anthropic.responder';
import { geminiBatchEmbed, geminiCountTokens, geminiEmbed, geminiGenerate, geminiModels } from './gemini.responder';
import { FAMILY_ROUTES, type FamilyRoute, type MockUploadedFile } from './families';
import { imagenPredict, nativeImageGenerate, wantsImage } from './families/gemini-images';
import { asNumber, isRecord, type JsonRecord } from './json.util';
import { errorReply, IdSource, type MockReply, type RequestContext, type StreamReply } from './mock-reply.types';
import type { FaultRule, MockUpstream, MockUpstreamOptions, MockVendor, RecordedRealtimeEvent, RecordedRequest, StreamShape } from './mock-upstream.types';
import { openaiChat, openaiEmbeddings, openaiModels, openaiResponses } from './openai.responder';
import { RealtimeMockSession, type RealtimeOut } from './realtime.responder';
import type { ShapeHint } from './reply-plan.builder';
import {
  anthropicError,
  anthropicRequestId,
  cohereError,
  geminiApiKeyInvalid,
  geminiError,
  openaiError,
  vendorError,
  type ErrorReply,
} from './vendor-error.bodies';

type Op =
  | 'chat'
  | 'responses'
  | 'embeddings'
  | 'models'
  | 'messages'
  | 'count_tokens'
  | 'generateContent'
  | 'streamGenerateContent'
  | 'countTokens'
  | 'embedContent'
  | 'batchEmbedContents'
  | 'predict'
  | 'family'
  | 'not_found';

interface Route {
  vendor: MockVendor;
  op: Op;
  /** Gemini: the model from the path. Models endpoints: the id asked for. */
  model?: string;
  /** op `family`: the endpoint beyond chat that answers (families/) */
  family?: FamilyRoute;
}

// AiHubMix serves Gemini under /gemini (seeds/000): the mock accepts that prefix so the aihubmix adapter can be tested.
const GEMINI_ACTION = /^(?:\/gemini)?\/(v1|v1beta|v1alpha)\/models\/([^/:]+):([A-Za-z]+)$/;
const MODELS_PATH = /^\/(v1|v1beta|v1alpha)\/models(?:\/([^/]+))?$/;
const GEMINI_OPS = new Set<string>(['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents', 'predict']);

/** A multipart/form-data body: text fields (repeated `x[]` fields as arrays) and files, as vendors read them. */
async function readForm(bytes: Buffer, contentType: string): Promise<{ fields: Record<string, unknown>; files: MockUploadedFile[] }> {
  const form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, unknown> = {};
  const files: MockUploadedFile[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      if (name.endsWith('[]')) ((fields[name.slice(0, -2)] ??= []) as string[]).push(value);
      else fields[name] = value;
    } else {
      files.push({ field: name, filename: value.name, contentType: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
    }
  }
  return { fields, files };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const a = header(headers, 'authorization');
  if (!a || !/^bearer\s+/i.test(a)) return undefined;
  const k = a.replace(/^bearer\s+/i, '').trim();
  return k === '' ? undefined : k;
}

function looksGemini(headers: IncomingHttpHeaders, query: URLSearchParams): boolean {
  return header(headers, 'x-goog-api-key') !== undefined || query.has('key');
}

function looksAnthropic(headers: IncomingHttpHeaders): boolean {
  return header(headers, 'anthropic-version') !== undefined || header(headers, 'x-api-key') !== undefined;
}

function resolveRoute(method: string, pathname: string, query: URLSearchParams, headers: IncomingHttpHeaders): Route {
  const g = GEMINI_ACTION.exec(pathname);
  if (g && method === 'POST' && GEMINI_OPS.has(g[3])) {
    return { vendor: 'gemini', op: g[3] as Op, model: decodeURIComponent(g[2]) };
  }
  const m = MODELS_PATH.exec(pathname);
  if (m && method === 'GET') {
    const id = m[2] !== undefined ? decodeURIComponent(m[2]) : undefined;
    if (m[1] !== 'v1' || looksGemini(headers, query)) return { vendor: 'gemini', op: 'models', model: id };
    if (looksAnthropic(headers)) return { vendor: 'anthropic', op: 'models', model: id };
    return { vendor: 'openai', op: 'models', model: id };
  }
  const routes = FAMILY_ROUTES[`${method} ${pathname}`];
  const family = Array.isArray(routes) ? routes.find((r: FamilyRoute) => r.accepts?.(headers) ?? true) : (routes as FamilyRoute | undefined);
  if (family) return { vendor: family.vendor, op: 'family', family };
  if (method === 'POST') {
    if (pathname === '/v1/chat/completions') return { vendor: 'openai', op: 'chat' };
    if (pathname === '/v1/responses') return { vendor: 'openai', op: 'responses' };
    if (pathname === '/v1/embeddings') return { vendor: 'openai', op: 'embeddings' };
    if (pathname === '/v1/messages') return { vendor: 'anthropic', op: 'messages' };
    if (pathname === '/v1/messages/count_tokens') return { vendor: 'anthropic', op: 'count_tokens' };
  }
  if (pathname.startsWith('/v1beta') || g || looksGemini(headers, query)) return { vendor: 'gemini', op: 'not_found' };
  if (looksAnthropic(headers)) return { vendor: 'anthropic', op: 'not_found' };
  return { vendor: 'openai', op: 'not_found' };
}

/** The key carried by the vendor's own auth carriers. */
function vendorKey(vendor: MockVendor, headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  if (vendor === 'gemini') return header(headers, 'x-goog-api-key') ?? (query.get('key') || undefined);
  if (vendor === 'anthropic') return header(headers, 'x-api-key') ?? bearer(headers);
  return bearer(headers) ?? header(headers, 'api-key');
}

function maskKey(k: string): string {
  return k.length <= 8 ? '*'.repeat(k.length) : `${k.slice(0, 3)}*${k.slice(-4)}`;
}

function authError(vendor: MockVendor, key: string | undefined): ErrorReply {
  if (vendor === 'gemini') {
    if (key === undefined)
      return geminiError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    return geminiApiKeyInvalid();
  }
  if (vendor === 'anthropic') return anthropicError(401, key === undefined ? 'x-api-key header is required' : 'invalid x-api-key', 'authentication_error');
  if (vendor === 'cohere') return cohereError(401, key === undefined ? 'no api key supplied' : 'invalid api token');
  if (key === undefined)
    return openaiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
      { type: 'invalid_request_error', code: null },
    );
  return openaiError(401, `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`, {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  });
}

function parseError(vendor: MockVendor): ErrorReply {
  if (vendor === 'gemini') return geminiError(400, 'Invalid JSON payload received. Unexpected token.');
  if (vendor === 'anthropic') return anthropicError(400, 'There was an error parsing the body of your request. Please ensure the body is valid JSON.');
  if (vendor === 'cohere') return cohereError(400, 'invalid request: could not parse the request body as JSON');
  return openaiError(
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, visit https://help.openai.com/en/.)",
  );
}

function notFound(vendor: MockVendor, method: string, pathname: string): ErrorReply {
  if (vendor === 'gemini') return geminiError(404, `Method not found: ${method} ${pathname}`);
  if (vendor === 'anthropic') return anthropicError(404, 'Not Found', 'not_found_error');
  if (vendor === 'cohere') return cohereError(404, `path ${pathname} not found`);
  return openaiError(404, `Invalid URL (${method} ${pathname})`, { type: 'invalid_request_error', code: null });
}

interface ActiveFault {
  rule: FaultRule;
  remaining: number;
}

const GARBAGE_BODY = '<!DOCTYPE html><html><head><title>502</title></head><body>upstream garbage: this is not JSON</body></html>';

// OpenAI's Realtime WebSocket, and Azure's on its v1 path (reference §4.4, §7).
const REALTIME_PATHS = new Set(['/v1/realtime', '/openai/v1/realtime']);
const INSECURE_KEY_PROTOCOL = 'openai-insecure-api-key.';

class MockUpstreamServer implements MockUpstream {
  url = '';
  port = 0;
  readonly requests: RecordedRequest[] = [];
  readonly realtimeEvents: RecordedRealtimeEvent[] = [];
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('realtime') ? 'realtime' : false) });
  private faults: ActiveFault[] = [];
  private shape: StreamShape = {};
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ids = new IdSource((Math.random() * 0xffffffff) >>> 0);
  private readonly server: Server;
  private readonly keys?: Set<string>;
  private readonly maxRecorded: number;
  private closed = false;

  constructor(opts: MockUpstreamOptions) {
    this.keys = opts.keys ? new Set(opts.keys) : undefined;
    this.maxRecorded = opts.maxRecorded ?? 10_000;
    this.server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (s: Socket) => {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.onUpgrade(req, socket, head).catch(() => socket.destroy());
    });
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.port = addr.port;
    const h = host.includes(':') ? `[${host}]` : host;
    this.url = `http://${h === '0.0.0.0' ? '127.0.0.1' : h}:${addr.port}`;
  }

  setFault(rule: FaultRule): void {
    this.faults.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.faults = [];
  }

  setStreamShape(shape: StreamShape): void {
    this.shape = { ...shape };
  }

  clearStreamShape(): void {
    this.shape = {};
  }

  reset(): void {
    this.requests.length = 0;
    this.realtimeEvents.length = 0;
    this.clearFaults();
    this.clearStreamShape();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
  }

  // ---------- plumbing ----------

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      this.handle(req, res, bytes.toString('utf8'), bytes).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          const body = JSON.stringify({ error: { message: `mock upstream crashed: ${String(err)}`, type: 'server_error' } });
          res.writeHead(500, { 'content-type': 'application/json' }).end(body);
        } else res.destroy();
      });
    });
    req.on('error', () => res.destroy());
    // Writes racing a client disconnect must not crash the mock.
    res.on('error', () => undefined);
  }

  private record(r: RecordedRequest): void {
    this.requests.push(r);
    if (this.requests.length > this.maxRecorded) this.requests.splice(0, this.requests.length - this.maxRecorded);
  }

  private takeFault(path: string, model: string | undefined, key: string | undefined, stream?: boolean): FaultRule | undefined {
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i];
      const m = f.rule.match ?? {};
      if (m.path !== undefined && !path.includes(m.path)) continue;
      if (m.model !== undefined && m.model !== model) continue;
      if (m.key !== undefined && m.key !== key) continue;
      if (m.stream !== undefined && m.stream !== stream) continue;
      f.remaining--;
      if (f.remaining <= 0) this.faults.splice(i, 1);
      return f.rule;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, raw: string, rawBytes: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const pathname = qi < 0 ? url : url.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? '' : url.slice(qi + 1));
    if (pathname.startsWith('/__mock/')) return this.control(method, pathname, raw, res);

    const route = resolveRoute(method, pathname, query, req.headers);
    let body: unknown;
    let badJson = false;
    let files: MockUploadedFile[] = [];
    const multipart = /^multipart\/form-data/i.test(header(req.headers, 'content-type') ?? '');
    if (route.op === 'family' && multipart) {
      // A form upload: its text fields are the body, its files kept as bytes (parsed by the platform's own reader).
      try {
        ({ fields: body, files } = await readForm(rawBytes, header(req.headers, 'content-type')!));
      } catch {
        badJson = true;
      }
    } else if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    const bodyModel = isRecord(body) && typeof body.model === 'string' ? body.model : undefined;
    const model = route.op === 'models' ? route.model : (route.model ?? bodyModel);
    const stream =
      (route.family?.streams !== undefined && isRecord(body) && route.family.streams(body)) ||
      route.op === 'streamGenerateContent' ||
      ((route.op === 'chat' || route.op === 'responses' || route.op === 'messages') && isRecord(body) && body.stream === true);
    const key = vendorKey(route.vendor, req.headers, query);
    this.record({
      method,
      path: url,
      headers: req.headers,
      body,
      rawBody: raw,
      receivedAt: Date.now(),
      vendor: route.vendor,
      key,
      model,
      stream,
      ...(files.length ? { files } : {}),
    });

    const fault = this.takeFault(url, model, key, stream);
    if (fault && (await this.applyFault(fault, route.vendor, stream, query, req, res))) return;
    if (res.destroyed) return;

    let reply: MockReply;
    if (this.keys ? key === undefined || !this.keys.has(key) : key === undefined) {
      reply = errorReply(authError(route.vendor, key));
    } else if (route.op === 'not_found') {
      reply = errorReply(notFound(route.vendor, method, pathname));
    } else if (badJson) {
      reply = errorReply(parseError(route.vendor));
    } else if (route.vendor === 'anthropic' && route.op !== 'models' && header(req.headers, 'anthropic-version') === undefined) {
      reply = errorReply(anthropicError(400, 'anthropic-version: header is required'));
    } else {
      const ctx: RequestContext = {
        vendor: route.vendor,
        method,
        pathname,
        query,
        headers: req.headers,
        body: body ?? {},
        shape: this.shapeFor(req.headers),
        ids: this.ids,
      };
      reply = route.family ? await route.family.respond({ ...ctx, files, rawBytes }) : this.dispatch(route, ctx);
    }
    await this.send(res, route.vendor, reply, fault);
  }

  private shapeFor(headers: IncomingHttpHeaders): ShapeHint {
    const ch = Number(header(headers, 'x-mock-chunks'));
    const dl = Number(header(headers, 'x-mock-chunk-delay-ms'));
    return {
      chunks: Number.isInteger(ch) && ch > 0 ? Math.min(ch, 10_000) : this.shape.chunks,
      delayMs: Number.isFinite(dl) && dl >= 0 && header(headers, 'x-mock-chunk-delay-ms') !== undefined ? dl : this.shape.delayMs,
    };
  }

  private dispatch(route: Route, ctx: RequestContext): MockReply {
    switch (route.op) {
      case 'chat':
        return openaiChat(ctx);
      case 'responses':
        return openaiResponses(ctx);
      case 'embeddings':
        return openaiEmbeddings(ctx);
      case 'models':
        if (route.vendor === 'gemini') return geminiModels(ctx, route.model);
        if (route.vendor === 'anthropic') return anthropicModels(ctx, route.model);
        return openaiModels(route.model);
      case 'messages':
        return anthropicMessages(ctx);
      case 'count_tokens':
        return anthropicCountTokens(ctx);
      case 'generateContent':
        // Native image output (responseModalities IMAGE) is the image family's answer.
        if (wantsImage(ctx.body)) return nativeImageGenerate(ctx, route.model ?? '');
        return geminiGenerate(ctx, route.model ?? '', false);
      case 'predict':
        return imagenPredict(ctx, route.model ?? '');
      case 'streamGenerateContent':
        return geminiGenerate(ctx, route.model ?? '', true);
      case 'countTokens':
        return geminiCountTokens(ctx, route.model ?? '');
      case 'embedContent':
        return geminiEmbed(ctx);
      case 'batchEmbedContents':
        return geminiBatchEmbed(ctx);
      default:
        return errorReply(notFound(route.vendor, ctx.method, ctx.pathname));
    }
  }

  /** Applies the parts of a fault that replace the normal answer. Returns true when the request is done. */
  private async applyFault(
    f: FaultRule,
    vendor: MockVendor,
    stream: boolean,
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> {
    if (f.delayMs && f.delayMs > 0) {
      await this.sleep(f.delayMs);
      if (res.destroyed) return true;
    }
    if (f.resetConnection) {
      req.socket.destroy();
      return true;
    }
    if (f.hang) return true;
    if (f.status !== undefined) {
      const def = vendorError(vendor, f.status);
      const body = f.body === undefined ? def.body : f.body;
      await this.send(res, vendor, { kind: 'json', status: f.status, body, headers: def.headers }, f);
      return true;
    }
    if (f.garbage) {
      const headers = this.baseHeaders(vendor, undefined, f);
      if (stream) {
        const sse = vendor !== 'gemini' || query.get('alt') === 'sse';
        headers['content-type'] = sse ? 'text/event-stream' : 'application/json';
        res.writeHead(200, headers).end(sse ? 'data: {"choices": [garbage <html>\n\n' : '[{"candidates": <html>garbage');
      } else {
        headers['content-type'] = 'application/json';
        res.writeHead(200, headers).end(GARBAGE_BODY);
      }
      return true;
    }
    return false;
  }

  private baseHeaders(vendor: MockVendor, body: unknown, f: FaultRule | undefined): Record<string, string> {
    const h: Record<string, string> = {};
    if (vendor === 'openai') h['x-request-id'] = this.ids.next('req_', 32);
    else if (vendor === 'anthropic') {
      h['request-id'] = isRecord(body) && typeof body.request_id === 'string' ? body.request_id : anthropicRequestId();
    }
    if (f?.headers) Object.assign(h, f.headers);
    return h;
  }

  private async send(res: ServerResponse, vendor: MockVendor, reply: MockReply, f: FaultRule | undefined): Promise<void> {
    if (res.destroyed) return;
    if (reply.kind === 'stream') return this.sendStream(res, vendor, reply, f);
    if (reply.kind === 'bytes') {
      const h = { ...this.baseHeaders(vendor, undefined, f), ...reply.headers, 'content-type': reply.contentType, 'content-length': String(reply.body.length) };
      res.writeHead(reply.status, h);
      if (f?.dropAfterChunks !== undefined) res.write(reply.body.subarray(0, reply.body.length >> 1), () => res.destroy());
      else res.end(reply.body);
      return;
    }
    const headers = this.baseHeaders(vendor, reply.body, undefined);
    if (reply.headers) Object.assign(headers, reply.headers);
    if (f?.headers) Object.assign(headers, f.headers);
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    headers['content-type'] = vendor === 'gemini' ? 'application/json; charset=UTF-8' : 'application/json';
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    if (f?.dropAfterChunks !== undefined) {
      const cut = text.slice(0, Math.floor(text.length / 2));
      res.write(cut, () => res.destroy());
      return;
    }
    res.end(text);
  }

  private async sendStream(res: ServerResponse, vendor: MockVendor, reply: StreamReply, f: FaultRule | undefined): Promise<void> {
    const headers = this.baseHeaders(vendor, undefined, undefined);
    if (reply.headers) Object.assign(headers, reply.headers);
    headers['content-type'] = reply.contentType;
    headers['cache-control'] = 'no-cache';
    if (f?.headers) Object.assign(headers, f.headers);
    res.writeHead(200, headers);

    const array = reply.framing === 'json-array';
    const n = reply.events.length;
    const framed = (i: number): string => {
      const d = reply.events[i].data;
      if (!array) return d;
      return (i === 0 ? '[' : ',\r\n') + d + (i === n - 1 ? ']' : '');
    };
    const dropAt = f?.dropAfterChunks;
    const errAt = f?.streamErrorAfterChunks;
    const everyDelay = f?.chunkDelayMs ?? 0;
    const contentDelay = reply.delayMs;
    let buf = '';
    let pacedSeen = false;
    for (let i = 0; i < n; i++) {
      if (dropAt !== undefined && i >= dropAt) {
        if (buf) res.write(buf, () => res.destroy());
        else {
          res.flushHeaders();
          setImmediate(() => res.destroy());
        }
        return;
      }
      if (errAt !== undefined && i >= errAt) {
        const status = f?.streamErrorStatus ?? (vendor === 'anthropic' ? 529 : 500);
        const errEvents = reply.inStreamError(status, i);
        if (array) buf += (i === 0 ? '[' : ',\r\n') + errEvents.join(',\r\n') + ']';
        else buf += errEvents.join('');
        res.end(buf);
        return;
      }
      const ev = reply.events[i];
      let wait = 0;
      if (everyDelay > 0 && i > 0) wait = everyDelay;
      else if (ev.paced && pacedSeen && contentDelay > 0) wait = contentDelay;
      if (ev.paced) pacedSeen = true;
      if (wait > 0) {
        if (buf) res.write(buf);
        buf = '';
        await this.sleep(wait);
        if (res.destroyed || this.closed) return;
      }
      buf += framed(i);
    }
    res.end(buf);
  }

  // ---------- Realtime (WebSocket) ----------

  /** An HTTP answer to an upgrade request (the handshake refused), in OpenAI's error shape. */
  private refuseUpgrade(socket: Duplex, reply: ErrorReply, extra: Record<string, string> = {}): void {
    const body = JSON.stringify(reply.body);
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...reply.headers, ...extra };
    const head = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.end(`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}\r\n${head}\r\n${body}`);
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const pathname = qi < 0 ? url : url.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? '' : url.slice(qi + 1));
    if (!REALTIME_PATHS.has(pathname)) return this.refuseUpgrade(socket, notFound('openai', 'GET', pathname));
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const fromProtocol = offered.find((p) => p.startsWith(INSECURE_KEY_PROTOCOL))?.slice(INSECURE_KEY_PROTOCOL.length);
    const key = bearer(req.headers) ?? header(req.headers, 'api-key') ?? (fromProtocol || undefined);
    const model = query.get('model') ?? query.get('deployment') ?? undefined;
    this.record({
      method: 'GET',
      path: url,
      headers: req.headers,
      body: undefined,
      rawBody: '',
      receivedAt: Date.now(),
      vendor: 'openai',
      key,
      model,
      stream: true,
    });
    const fault = this.takeFault(url, model, key);
    if (fault?.delayMs) await this.sleep(fault.delayMs);
    if (fault?.resetConnection) return void socket.destroy();
    if (fault?.hang) return;
    if (fault?.status !== undefined) {
      const def = vendorError('openai', fault.status);
      return this.refuseUpgrade(socket, { ...def, body: fault.body === undefined ? def.body : fault.body }, fault.headers);
    }
    if (this.keys ? key === undefined || !this.keys.has(key) : key === undefined) return this.refuseUpgrade(socket, authError('openai', key));
    if (!model)
      return this.refuseUpgrade(
        socket,
        openaiError(400, "Missing required parameter: 'model'.", { type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter' }),
      );
    this.wss.handleUpgrade(req, socket, head, (ws) => this.runRealtime(ws, model, key, fault));
  }

  private runRealtime(ws: WebSocket, model: string, key: string | undefined, fault: FaultRule | undefined): void {
    const session = new RealtimeMockSession(model, this.ids);
    let sent = 0;
    let queue = Promise.resolve();
    // Events go out in order; content deltas are paced by `[delay:N]`, and a `dropAfterChunks` fault cuts the socket.
    const send = (outs: RealtimeOut[], delayMs = 0) => {
      queue = queue.then(async () => {
        for (const o of outs) {
          if (ws.readyState !== ws.OPEN) return;
          if (fault?.dropAfterChunks !== undefined && sent >= fault.dropAfterChunks) return void ws.terminate();
          if (o.paced && delayMs > 0) await this.sleep(delayMs);
          ws.send(JSON.stringify(o.event));
          sent++;
        }
      });
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? '' : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      let parsed: unknown;
      try {
        parsed = isBinary ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const type = isBinary ? 'binary' : isRecord(parsed) && typeof parsed.type === 'string' ? parsed.type : 'invalid';
      this.realtimeEvents.push({ receivedAt: Date.now(), key, model, type, event: parsed });
      const outs = isBinary ? session.binary() : session.receive(text);
      send(outs, type === 'response.create' ? session.delayMs() : 0);
    });
    ws.on('error', () => undefined);
    send(session.opened());
  }

  // ---------- control API ----------

  private control(method: string, pathname: string, raw: string, res: ServerResponse): void {
    const json = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
    };
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return json(400, { error: 'body is not JSON' });
      }
    }
    const route = `${method} ${pathname.replace(/\/+$/, '')}`;
    switch (route) {
      case 'POST /__mock/faults': {
        const rules = Array.isArray(body) ? body : [body ?? {}];
        for (const r of rules) {
          if (!isRecord(r)) return json(400, { error: 'a fault rule must be an object' });
          this.setFault(r);
        }
        return json(201, { ok: true, faults: this.faults.length });
      }
      case 'GET /__mock/faults':
        return json(
          200,
          this.faults.map((f) => ({ ...f.rule, remaining: Number.isFinite(f.remaining) ? f.remaining : null })),
        );
      case 'DELETE /__mock/faults':
        this.clearFaults();
        return json(200, { ok: true });
      case 'GET /__mock/requests':
        return json(200, this.requests);
      case 'DELETE /__mock/requests':
        this.requests.length = 0;
        return json(200, { ok: true });
      case 'POST /__mock/stream-shape':
      case 'PUT /__mock/stream-shape': {
        const b: JsonRecord = isRecord(body) ? body : {};
        this.setStreamShape({ chunks: asNumber(b.chunks), delayMs: asNumber(b.delayMs) });
        return json(200, { ok: true, shape: this.shape });
      }
      case 'GET /__mock/stream-shape':
        return json(200, this.shape);
      case 'DELETE /__mock/stream-shape':
        this.clearStreamShape();
        return json(200, { ok: true });
      case 'POST /__mock/reset':
        this.reset();
        return json(200, { ok: true });
      case 'GET /__mock/health':
        return json(200, { ok: true });
      default:
        return json(404, { error: `unknown control route ${route}` });
    }
  }
}

/**
 * Starts a faithful fake of the OpenAI, Anthropic and Gemini APIs on one port (see libs/testing/README.md).
 */
export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const server = new MockUpstreamServer(opts);
  await server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  return server;
}
