import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/**
 * A faithful fake of Kiro's backend (providers-and-endpoints.md §3) on a free port, for tests:
 * - `POST /refreshToken` (social logins) and `POST /token` (AWS OIDC, Builder ID / IdC): count calls per account,
 *   rotate refresh tokens (the old one is then dead), answer a dead or unknown one as the real endpoints do
 *   (`invalid_grant`);
 * - `POST /generateAssistantResponse`: checks the bearer token (403 for an unknown or expired one, as Kiro answers) and
 *   the body rules peers learned (400 `Improperly formed request.` when one is broken), then answers binary AWS
 *   event-stream frames (real CRCs, split across TCP writes): text, tool uses in fragments, usage;
 * - `GET /getUsageLimits`: the account's credits.
 */

export interface FakeKiroAccount {
  refreshToken: string;
  /** `idc`: refreshed at `/token` with these client credentials */
  kind?: 'social' | 'idc';
  clientId?: string;
  clientSecret?: string;
  /** social accounts answer theirs on refresh and require it on every call */
  profileArn?: string;
  /** the usage breakdown getUsageLimits answers */
  usage?: Record<string, unknown>;
}

export interface FakeKiroReplyOptions {
  /** send the newer `metadataEvent` with token usage (default true); without, only `contextUsageEvent` */
  metadata?: boolean;
  /** wrap every payload as `{ "<eventName>": {…} }` (some backends do) */
  wrapped?: boolean;
  /** an exception frame after the first text event */
  exception?: { type: string; message: string };
  /** `invalidStateEvent` instead of an answer */
  invalidState?: boolean;
}

export interface FakeKiroRequest {
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  account: string;
}

export interface FakeKiro {
  url: string;
  socialRefreshUrl: string;
  oidcRefreshUrl: string;
  usageUrl: string;
  /** generateAssistantResponse calls that passed auth, in order */
  readonly requests: FakeKiroRequest[];
  /** what the last 400 complained about */
  readonly rejections: string[];
  addAccount(a: FakeKiroAccount): void;
  /** refresh calls per account (by its first refresh token) */
  refreshes(firstRefreshToken: string): number;
  /** refresh calls refused (dead or unknown refresh token) */
  readonly refusedRefreshes: number;
  /** the refresh token an account holds now (after rotations) */
  currentRefreshToken(firstRefreshToken: string): string | undefined;
  /** every access token issued so far stops working (as when Kiro revokes sessions) */
  expireAccessTokens(): void;
  /** the account's refresh token is retired (a dead credential) */
  killRefreshToken(firstRefreshToken: string): void;
  /** options for the next answers (until changed) */
  reply: FakeKiroReplyOptions;
  /** how long a refresh takes (ms): concurrency tests need the window */
  refreshDelayMs: number;
  /** whether a refresh rotates the refresh token (default true) */
  rotate: boolean;
  close(): Promise<void>;
}

interface AccountState extends FakeKiroAccount {
  first: string;
  current: string;
  refreshCount: number;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const MODELS = new Set([
  'auto',
  'claude-sonnet-4.5',
  'claude-sonnet-4.6',
  'claude-haiku-4.5',
  'claude-opus-4.5',
  'claude-opus-4.6',
  'claude-sonnet-4',
  'CLAUDE_SONNET_4_20250514_V1_0',
  'CLAUDE_SONNET_4_5_20250929_V1_0',
  'CLAUDE_3_7_SONNET_20250219_V1_0',
  'CLAUDE_3_5_HAIKU_20241022_V1_0',
]);

const IMPROPER = { message: 'Improperly formed request.', reason: null };

function frame(eventType: string, payload: unknown, messageType = 'event', extra: Record<string, string> = {}): Uint8Array {
  const headers: Record<string, { type: 'string'; value: string }> = {
    ':message-type': { type: 'string', value: messageType },
    ':content-type': { type: 'string', value: 'application/json' },
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, { type: 'string' as const, value: v }])),
  };
  if (messageType === 'event') headers[':event-type'] = { type: 'string', value: eventType };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Why Kiro would refuse this body ("Improperly formed request."), or null. */
export function kiroBodyProblem(body: Obj, account: AccountState | undefined): string | null {
  const nulls = (v: unknown, at: string): string | null => {
    if (v === null) return `${at} is null`;
    if (Array.isArray(v)) {
      if (v.length === 0) return `${at} is an empty array`;
      for (let i = 0; i < v.length; i++) {
        const p = nulls(v[i], `${at}[${i}]`);
        if (p) return p;
      }
    } else if (isObj(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'json') continue; // a tool's schema is the client's
        const p = nulls(x, `${at}.${k}`);
        if (p) return p;
      }
    }
    return null;
  };
  const n = nulls(body, 'body');
  if (n) return n;
  const state = body.conversationState;
  if (!isObj(state)) return 'conversationState missing';
  if (state.chatTriggerType !== 'MANUAL' || typeof state.conversationId !== 'string') return 'conversationState header fields';
  const current = isObj(state.currentMessage) ? state.currentMessage.userInputMessage : undefined;
  if (!isObj(current)) return 'currentMessage.userInputMessage missing';
  const history = (state.history ?? []) as unknown[];
  if (!Array.isArray(history)) return 'history is not an array';
  if (history.length % 2 !== 0) return 'history does not end with an assistant turn';
  let calls = new Set<string>();
  const user = (u: Obj, at: string): string | null => {
    if (typeof u.content !== 'string' || !u.content.trim()) return `${at}.content is empty`;
    if (!MODELS.has(String(u.modelId))) return `${at}.modelId`;
    if (u.origin !== 'AI_EDITOR') return `${at}.origin`;
    for (const img of (u.images ?? []) as Obj[]) {
      if (!['png', 'jpeg', 'gif', 'webp'].includes(String(img.format)) || !isObj(img.source) || typeof img.source.bytes !== 'string') return `${at}.images`;
    }
    const ctx = isObj(u.userInputMessageContext) ? u.userInputMessageContext : {};
    const seen = new Set<string>();
    for (const r of (ctx.toolResults ?? []) as Obj[]) {
      const id = String(r.toolUseId);
      if (seen.has(id)) return `${at}: toolResults repeat ${id}`;
      seen.add(id);
      if (!calls.has(id)) return `${at}: a toolResult answers no toolUse of the previous turn`;
      if (!Array.isArray(r.content) || !['success', 'error'].includes(String(r.status))) return `${at}: toolResult shape`;
    }
    for (const t of (ctx.tools ?? []) as Obj[]) {
      const spec = isObj(t.toolSpecification) ? t.toolSpecification : undefined;
      if (!spec) return `${at}: tool without toolSpecification`;
      if (typeof spec.name !== 'string' || !spec.name || spec.name.length > 64) return `${at}: tool name over 64 characters`;
      if (typeof spec.description !== 'string' || !spec.description.trim()) return `${at}: tool without description`;
      if (!isObj(spec.inputSchema) || !isObj(spec.inputSchema.json)) return `${at}: tool inputSchema.json`;
    }
    return null;
  };
  for (let i = 0; i < history.length; i++) {
    const h = history[i] as Obj;
    if (i % 2 === 0) {
      if (!isObj(h.userInputMessage) || h.assistantResponseMessage) return `history[${i}] is not a user turn`;
      const p = user(h.userInputMessage, `history[${i}]`);
      if (p) return p;
      calls = new Set();
    } else {
      const a = h.assistantResponseMessage;
      if (!isObj(a) || h.userInputMessage) return `history[${i}] is not an assistant turn`;
      if (typeof a.content !== 'string' || !a.content.trim()) return `history[${i}].content is empty`;
      calls = new Set(((a.toolUses ?? []) as Obj[]).map((t) => String(t.toolUseId)));
      for (const t of (a.toolUses ?? []) as Obj[]) if (typeof t.name !== 'string' || t.name.length > 64 || !isObj(t.input)) return `history[${i}] toolUse`;
    }
  }
  const p = user(current, 'currentMessage');
  if (p) return p;
  if (account?.profileArn && body.profileArn !== account.profileArn) return 'profileArn missing or not this account’s';
  return null;
}

/** The tool call the fake makes: the first tool, arguments from its schema (strings "Paris", numbers 1, booleans true). */
function toolCallFor(tool: Obj): { name: string; input: Obj } {
  const spec = tool.toolSpecification as Obj;
  const props = isObj((spec.inputSchema as Obj).json) ? (((spec.inputSchema as Obj).json as Obj).properties as Obj | undefined) : undefined;
  const input: Obj = {};
  for (const [k, v] of Object.entries(props ?? {})) {
    const t = isObj(v) ? v.type : undefined;
    input[k] = t === 'number' || t === 'integer' ? 1 : t === 'boolean' ? true : 'Paris';
  }
  return { name: String(spec.name), input };
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

export async function startFakeKiro(): Promise<FakeKiro> {
  const accounts = new Map<string, AccountState>();
  /** access token → account (first refresh token) */
  const access = new Map<string, string>();
  const requests: FakeKiroRequest[] = [];
  const rejections: string[] = [];
  const sockets = new Set<import('node:net').Socket>();

  let refused = 0;
  const byRefresh = (rt: unknown) => [...accounts.values()].find((a) => a.current === rt);

  const fake: FakeKiro = {
    url: '',
    socialRefreshUrl: '',
    oidcRefreshUrl: '',
    usageUrl: '',
    requests,
    rejections,
    reply: {},
    refreshDelayMs: 50,
    rotate: true,
    addAccount(a) {
      accounts.set(a.refreshToken, { kind: 'social', ...a, first: a.refreshToken, current: a.refreshToken, refreshCount: 0 });
    },
    refreshes: (first) => accounts.get(first)?.refreshCount ?? 0,
    get refusedRefreshes() {
      return refused;
    },
    currentRefreshToken: (first) => accounts.get(first)?.current,
    expireAccessTokens: () => access.clear(),
    killRefreshToken(first) {
      const a = accounts.get(first);
      if (a) a.current = `dead-${randomBytes(6).toString('hex')}`;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomBytes(16).toString('hex'), ...headers });
    res.end(JSON.stringify(body));
  };

  const refresh = async (req: http.IncomingMessage, res: http.ServerResponse, body: Obj, oidc: boolean) => {
    await new Promise((r) => setTimeout(r, fake.refreshDelayMs));
    const a = byRefresh(body.refreshToken);
    const dead = { error: 'invalid_grant', error_description: 'Invalid refresh token provided' };
    if (oidc) {
      if (body.grantType !== 'refresh_token') return json(res, 400, { error: 'unsupported_grant_type', error_description: 'grantType' });
      if (!a || a.kind !== 'idc') {
        refused++;
        return json(res, 400, dead);
      }
      if (body.clientId !== a.clientId || body.clientSecret !== a.clientSecret)
        return json(res, 401, { error: 'invalid_client', error_description: 'Invalid client' });
    } else if (!a || a.kind !== 'social') {
      refused++;
      return json(res, 401, { message: 'Invalid refresh token provided', error: 'invalid_grant' });
    }
    a.refreshCount++;
    const token = `kat-${randomBytes(12).toString('hex')}`;
    access.set(token, a.first);
    if (fake.rotate) a.current = `rt-${randomBytes(12).toString('hex')}`;
    const out: Obj = { accessToken: token, expiresIn: 3600 };
    if (fake.rotate) out.refreshToken = a.current;
    if (oidc) out.tokenType = 'Bearer';
    else if (a.profileArn) out.profileArn = a.profileArn;
    json(res, 200, out);
  };

  const bearer = (req: http.IncomingMessage): AccountState | undefined => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const first = m ? access.get(m[1]) : undefined;
    return first ? accounts.get(first) : undefined;
  };

  const generate = async (req: http.IncomingMessage, res: http.ServerResponse, body: Obj) => {
    const account = bearer(req);
    if (!account) return json(res, 403, { message: 'The bearer token included in the request is invalid.', reason: null });
    const problem = kiroBodyProblem(body, account);
    if (problem) {
      rejections.push(problem);
      return json(res, 400, IMPROPER);
    }
    requests.push({ headers: req.headers, body, account: account.first });
    const state = body.conversationState as Obj;
    const current = (state.currentMessage as Obj).userInputMessage as Obj;
    const ctx = (current.userInputMessageContext ?? {}) as Obj;
    const tools = (ctx.tools ?? []) as Obj[];
    const results = (ctx.toolResults ?? []) as Obj[];
    const opts = fake.reply;
    const ev = (name: string, payload: Obj) => frame(name, opts.wrapped ? { [name]: payload } : payload);
    const frames: Uint8Array[] = [ev('messageMetadataEvent', { conversationId: state.conversationId, utteranceId: randomBytes(8).toString('hex') })];
    let output = '';
    if (opts.invalidState) {
      frames.push(ev('invalidStateEvent', { reason: 'INVALID_TASK_STATE', message: 'Invalid conversation state' }));
    } else if (tools.length && !results.length) {
      const call = toolCallFor(tools[0]);
      const args = JSON.stringify(call.input);
      const id = `tooluse_${randomBytes(6).toString('hex')}`;
      const cut = Math.ceil(args.length / 2);
      frames.push(ev('assistantResponseEvent', { content: 'Let me check.' }));
      frames.push(ev('toolUseEvent', { toolUseId: id, name: call.name, input: '' }));
      frames.push(ev('toolUseEvent', { toolUseId: id, name: call.name, input: args.slice(0, cut) }));
      frames.push(ev('toolUseEvent', { toolUseId: id, name: call.name, input: args.slice(cut) }));
      frames.push(ev('toolUseEvent', { toolUseId: id, name: call.name, stop: true }));
      output = `Let me check. ${args}`;
    } else {
      const text = results.length
        ? `The tool said: ${((results[0].content as Obj[])[0]?.text as string | undefined) ?? ''}`
        : `Hello from Kiro. You said: ${String(current.content).slice(-60)}`;
      const parts = text.match(/.{1,12}/gs) ?? [text];
      parts.forEach((p, i) => {
        frames.push(ev('assistantResponseEvent', { content: p }));
        if (i === 0 && opts.exception) {
          frames.push(frame('', { message: opts.exception.message }, 'exception', { ':exception-type': opts.exception.type }));
        }
      });
      output = text;
    }
    const input = words(JSON.stringify(state));
    frames.push(ev('meteringEvent', { unit: 'credit', unitPlural: 'credits', usage: 0.0169 }));
    frames.push(ev('contextUsageEvent', { contextUsagePercentage: ((input + words(output)) / 200_000) * 100 }));
    if (opts.metadata !== false) {
      frames.push(
        ev('metadataEvent', {
          tokenUsage: {
            uncachedInputTokens: input,
            cacheReadInputTokens: 0,
            cacheWriteInputTokens: 0,
            outputTokens: words(output),
            totalTokens: input + words(output),
          },
        }),
      );
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': randomBytes(16).toString('hex') });
    // Network reads never line up with frames: each frame goes in two writes, cut mid-header or mid-payload.
    for (const f of frames) {
      const cut = 3 + (f.length % 11);
      res.write(Buffer.from(f.subarray(0, cut)));
      await new Promise((r) => setTimeout(r, 2));
      res.write(Buffer.from(f.subarray(cut)));
    }
    res.end();
  };

  const usage = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const account = bearer(req);
    if (!account) return json(res, 403, { message: 'The bearer token included in the request is invalid.', reason: null });
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    if (q.get('origin') !== 'AI_EDITOR' || q.get('resourceType') !== 'AGENTIC_REQUEST') return json(res, 400, IMPROPER);
    json(res, 200, account.usage ?? { daysUntilReset: 7, nextDateReset: 1788220800, usageBreakdownList: [] });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Obj = {};
      try {
        if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj;
      } catch {
        return json(res, 400, { message: 'Improperly formed request.', reason: null });
      }
      const path = (req.url ?? '/').split('?')[0];
      const run =
        req.method === 'POST' && path === '/refreshToken'
          ? refresh(req, res, body, false)
          : req.method === 'POST' && path === '/token'
            ? refresh(req, res, body, true)
            : req.method === 'POST' && path === '/generateAssistantResponse'
              ? generate(req, res, body)
              : req.method === 'GET' && path === '/getUsageLimits'
                ? Promise.resolve(usage(req, res))
                : Promise.resolve(json(res, 404, { message: 'Not found' }));
      run.catch((e: Error) => {
        if (!res.headersSent) json(res, 500, { message: e.message });
        else res.destroy();
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = url;
  fake.socialRefreshUrl = `${url}/refreshToken`;
  fake.oidcRefreshUrl = `${url}/token`;
  fake.usageUrl = `${url}/getUsageLimits`;
  return fake;
}
