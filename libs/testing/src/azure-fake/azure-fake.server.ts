import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { asArray, asRecord, isRecord, type JsonRecord } from '../mock-upstream/json.util';
import { IdSource, type MockReply, type RequestContext } from '../mock-upstream/mock-reply.types';
import { openaiChat, openaiEmbeddings, openaiResponses } from '../mock-upstream/openai.responder';

/**
 * A fake of Azure OpenAI and of the Microsoft Entra ID token endpoint on one port (reference §7), for the azure channel
 * type's two URL styles and two kinds of key. The answers themselves are the mock upstream's OpenAI replies (same
 * directives); what is Azure's own is checked and answered here:
 * - dated: `POST /openai/deployments/{dep}/{chat/completions|completions|embeddings}?api-version=…` (the path decides
 *   the deployment), `POST /openai/responses?api-version=…-preview` (deployment in the body); no api-version → 404
 *   "Resource not found", an unknown one → 400 "API version not supported".
 * - v1: `POST /openai/v1/{chat/completions|responses|embeddings|completions}`, the deployment as the body's `model`,
 *   no dated api-version.
 * - auth: `api-key: <key>` (any non-empty key unless `apiKeys` is set), or `Authorization: Bearer <token>` with a token
 *   this fake's Entra endpoint issued for the Cognitive Services scope (or, on v1, an api-key as Bearer); 401 bodies as
 *   Azure words them.
 * - content filter: a last user message containing `mock:content_filter` is refused with Azure's 400 `content_filter`
 *   (innererror ResponsibleAIPolicyViolation); every stream opens with `choices: []` + `prompt_filter_results` and every
 *   answer carries the filter results, as Azure's do.
 * - Entra: `POST /{tenant}/oauth2/v2.0/token`, grant `client_credentials` for the registered `apps`; unknown tenant
 *   (AADSTS90002), unknown app (AADSTS700016), wrong secret (401 invalid_client, AADSTS7000215), scope without
 *   `/.default` (AADSTS1002012) in Entra's error shape.
 */

export interface EntraApp {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface AzureFakeOptions {
  port?: number;
  host?: string;
  /** accepted api-keys; default any non-empty key */
  apiKeys?: string[];
  /** the app registrations the Entra endpoint knows */
  apps?: EntraApp[];
  /** lifetime of issued tokens (Entra: 3599 s) */
  tokenLifetimeSeconds?: number;
}

export interface AzureFakeRequest {
  method: string;
  /** path with the query, as received */
  path: string;
  /** `dated`, `v1` or `token` */
  style: 'dated' | 'v1' | 'token';
  /** the deployment the call addressed (path for dated, body `model` for v1) */
  deployment?: string;
  apiVersion?: string;
  /** how it authenticated, and with what */
  auth?: { kind: 'api-key' | 'bearer'; value: string };
  body: unknown;
  /** token requests: the form fields */
  form?: Record<string, string>;
}

export interface AzureFake {
  url: string;
  readonly requests: AzureFakeRequest[];
  /** Every issued token stops being accepted (as after a key rotation or a revoked consent): the next call gets 401. */
  revokeTokens(): void;
  reset(): void;
  close(): Promise<void>;
}

const COGNITIVE_SCOPES = new Set(['https://cognitiveservices.azure.com/.default', 'https://ai.azure.com/.default']);
const DATED_VERSION = /^\d{4}-\d{2}-\d{2}(?:-preview)?$/;
const DATED_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/;
const V1_PATH = /^\/openai\/v1\/(chat\/completions|responses|embeddings|completions)$/;
const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;

const azureError = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });

const ACCESS_DENIED =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';
const BAD_TOKEN = 'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.';

/** Azure's prompt-filter refusal (reference §7; LiteLLM PR #16231). */
function contentFilterRefusal(): { status: number; body: JsonRecord } {
  return {
    status: 400,
    body: {
      error: {
        message:
          "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
        type: null,
        param: 'prompt',
        code: 'content_filter',
        status: 400,
        innererror: {
          code: 'ResponsibleAIPolicyViolation',
          content_filter_result: {
            hate: { filtered: true, severity: 'high' },
            jailbreak: { filtered: false, detected: false },
            self_harm: { filtered: false, severity: 'safe' },
            sexual: { filtered: false, severity: 'safe' },
            violence: { filtered: false, severity: 'safe' },
          },
        },
      },
    },
  };
}

const SAFE = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};
const PROMPT_FILTER_RESULTS = [{ prompt_index: 0, content_filter_results: { ...SAFE, jailbreak: { filtered: false, detected: false } } }];

function lastUserText(body: JsonRecord): string {
  const msgs = asArray(body.messages);
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = asRecord(msgs[i]);
    if (m.role !== 'user') continue;
    return typeof m.content === 'string'
      ? m.content
      : asArray(m.content)
          .map((p) => String(asRecord(p).text ?? ''))
          .join(' ');
  }
  return typeof body.input === 'string' ? body.input : '';
}

class AzureFakeServer implements AzureFake {
  url = '';
  readonly requests: AzureFakeRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly tokens = new Map<string, { scope: string; expiresAt: number }>();
  private readonly ids = new IdSource(0x5a2e);

  constructor(private readonly opts: AzureFakeOptions) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e: unknown) => {
          if (!res.headersSent)
            res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'InternalServerError', message: String(e) } }));
        });
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  reset(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://azure.fake');
    const token = TOKEN_PATH.exec(url.pathname);
    if (token && req.method === 'POST') return this.issueToken(req, res, decodeURIComponent(token[1]), raw);

    const dated = DATED_PATH.exec(url.pathname);
    const v1 = V1_PATH.exec(url.pathname);
    const responsesDated = url.pathname === '/openai/responses';
    const apiVersion = url.searchParams.get('api-version') ?? undefined;
    let body: JsonRecord;
    try {
      body = raw ? asRecord(JSON.parse(raw)) : {};
    } catch {
      return this.json(res, 400, { error: { code: 'BadRequest', message: 'The request body is not valid JSON.' } });
    }
    const style = v1 ? 'v1' : 'dated';
    const deployment = dated ? decodeURIComponent(dated[1]) : typeof body.model === 'string' ? body.model : undefined;
    const record: AzureFakeRequest = { method: req.method ?? 'GET', path: req.url ?? '/', style, deployment, apiVersion, body };
    this.requests.push(record);
    if (req.method !== 'POST' || (!dated && !v1 && !responsesDated)) return this.json(res, 404, { error: { code: '404', message: 'Resource not found' } });

    // api-version: required on the dated API, refused on v1 (except its early `preview` alias)
    if (!v1) {
      if (!apiVersion) return this.json(res, 404, { error: { code: '404', message: 'Resource not found' } });
      if (!DATED_VERSION.test(apiVersion) || (responsesDated && !apiVersion.endsWith('-preview')))
        return this.json(res, 400, { error: { code: 'BadRequest', message: 'API version not supported' } });
    } else if (apiVersion !== undefined && apiVersion !== 'preview' && apiVersion !== 'latest') {
      return this.json(res, 400, { error: { code: 'BadRequest', message: 'API version not supported' } });
    }

    const denied = this.authenticate(req, record, style);
    if (denied) return this.json(res, denied.status, denied.body);
    if (!deployment) return this.json(res, 400, { error: { code: 'BadRequest', message: "Missing required parameter: 'model'." } });
    if (deployment.startsWith('unknown-'))
      return this.json(res, 404, {
        error: {
          code: 'DeploymentNotFound',
          message:
            'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
        },
      });
    if (lastUserText(body).includes('mock:content_filter')) {
      const r = contentFilterRefusal();
      return this.json(res, r.status, r.body);
    }

    const op = dated ? dated[2] : v1 ? v1[1] : 'responses';
    const ctx: RequestContext = {
      vendor: 'openai',
      method: 'POST',
      pathname: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: { ...body, model: deployment },
      shape: {},
      ids: this.ids,
    };
    const reply =
      op === 'chat/completions' ? openaiChat(ctx) : op === 'embeddings' ? openaiEmbeddings(ctx) : op === 'responses' ? openaiResponses(ctx) : undefined;
    if (!reply)
      return this.json(res, 404, {
        error: { code: 'OperationNotSupported', message: `The ${op} operation does not work with the specified model, ${deployment}.` },
      });
    await this.send(res, reply, op === 'chat/completions');
  }

  private authenticate(req: IncomingMessage, record: AzureFakeRequest, style: 'dated' | 'v1'): { status: number; body: unknown } | undefined {
    const apiKey = typeof req.headers['api-key'] === 'string' ? req.headers['api-key'] : undefined;
    const bearer = /^bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]?.trim();
    const keyOk = (k: string) => k !== '' && (!this.opts.apiKeys || this.opts.apiKeys.includes(k));
    if (apiKey !== undefined) {
      record.auth = { kind: 'api-key', value: apiKey };
      return keyOk(apiKey) ? undefined : azureError(401, '401', ACCESS_DENIED);
    }
    if (bearer) {
      record.auth = { kind: 'bearer', value: bearer };
      const t = this.tokens.get(bearer);
      if (t && t.expiresAt > Date.now() && COGNITIVE_SCOPES.has(t.scope)) return undefined;
      // the v1 API also takes the resource's key as a Bearer (Microsoft's samples with the stock OpenAI client)
      if (style === 'v1' && !bearer.startsWith('eyJ') && keyOk(bearer)) return undefined;
      return azureError(401, '401', BAD_TOKEN);
    }
    return azureError(401, '401', ACCESS_DENIED);
  }

  private async send(res: ServerResponse, reply: MockReply, chat: boolean): Promise<void> {
    const headers = { 'apim-request-id': randomUUID(), 'x-ms-region': 'Sweden Central', 'x-request-id': randomUUID() };
    if (reply.kind === 'json') {
      const body = reply.status === 200 && chat && isRecord(reply.body) ? withFilterResults(reply.body) : reply.body;
      return this.json(res, reply.status, body, { ...headers, ...reply.headers });
    }
    if (reply.kind === 'bytes') {
      res.writeHead(reply.status, { ...headers, 'content-type': reply.contentType }).end(reply.body);
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': reply.contentType, 'cache-control': 'no-cache' });
    // Azure opens a chat stream with the prompt's filter results and no choice at all.
    if (chat)
      res.write(`data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER_RESULTS })}\n\n`);
    let paced = false;
    for (const ev of reply.events) {
      if (ev.paced && paced && reply.delayMs > 0) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (ev.paced) paced = true;
      res.write(ev.data);
    }
    res.end();
  }

  private issueToken(req: IncomingMessage, res: ServerResponse, tenant: string, raw: string): void {
    const form = Object.fromEntries(new URLSearchParams(raw));
    this.requests.push({ method: 'POST', path: req.url ?? '', style: 'token', body: undefined, form });
    const fail = (status: number, error: string, code: number, description: string) => {
      const traceId = randomUUID();
      const correlationId = randomUUID();
      const timestamp = new Date()
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
      this.json(res, status, {
        error,
        error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
        error_codes: [code],
        timestamp,
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      });
    };
    if (!/application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? '')))
      return fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (form.grant_type !== 'client_credentials')
      return fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.grant_type ?? ''}'.`);
    const apps = this.opts.apps ?? [];
    if (!apps.some((a) => a.tenantId === tenant))
      return fail(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    const app = apps.find((a) => a.tenantId === tenant && a.clientId === form.client_id);
    if (!app)
      return fail(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.client_id ?? ''}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    if (form.client_secret !== app.clientSecret)
      return fail(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
    const scope = form.scope ?? '';
    if (!scope.endsWith('/.default'))
      return fail(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    const lifetime = this.opts.tokenLifetimeSeconds ?? 3599;
    // Entra's access tokens are JWTs: an opaque `eyJ…` string is what clients see
    const accessToken = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(48).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(accessToken, { scope, expiresAt: Date.now() + lifetime * 1000 });
    this.json(res, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
  }
}

/** Chat answers as Azure sends them: the prompt's filter results and each choice's own. */
function withFilterResults(body: JsonRecord): JsonRecord {
  const choices = asArray(body.choices).map((c) => ({ ...asRecord(c), content_filter_results: SAFE }));
  return { ...body, choices, prompt_filter_results: PROMPT_FILTER_RESULTS };
}

export async function startAzureFake(opts: AzureFakeOptions = {}): Promise<AzureFake> {
  const server = new AzureFakeServer(opts);
  await server.listen();
  return server;
}
