import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { anthropicMessages } from '../mock-upstream/anthropic.responder';
import { embedVector, toNumberArray } from '../mock-upstream/embedding.util';
import { imagenPredict } from '../mock-upstream/families/gemini-images';
import { geminiCountTokens, geminiGenerate } from '../mock-upstream/gemini.responder';
import { asArray, asNumber, asRecord, asString, isRecord, type JsonRecord } from '../mock-upstream/json.util';
import { errorReply, IdSource, jsonReply, type MockReply, type RequestContext } from '../mock-upstream/mock-reply.types';
import { countWords } from '../mock-upstream/reply-plan.builder';
import { anthropicError, geminiError, type ErrorReply } from '../mock-upstream/vendor-error.bodies';

/**
 * A fake of Google Vertex AI on one port, built from the wire reference (providers-and-endpoints.md §2, §6.1): the OAuth
 * token endpoint of its service accounts (JWT bearer grant, signature checked with the account's public key) and the
 * `/v1/projects/{p}/locations/{l}/publishers/{google|anthropic}/models/{m}:{verb}` API, which takes only the tokens
 * it minted. Model answers come from the mock upstream's Gemini and Anthropic responders.
 */

export const FAKE_VERTEX_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ANTHROPIC_VERSION = 'vertex-2023-10-16';
const RESOURCE = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/([^/]+)\/models\/([^/:]+):([A-Za-z]+)$/;

export interface FakeVertexOptions {
  /** The projects the service accounts may call. Default `['test-project']`. */
  projects?: string[];
  /** The locations served. Default `['us-central1', 'us-east5', 'global']`. */
  locations?: string[];
  /** Lifetime of minted tokens, in seconds. Default 3599, as Google answers. */
  tokenLifetimeSeconds?: number;
}

export interface FakeServiceAccountOptions {
  /** Default `svc-N@{project}.iam.gserviceaccount.com`. */
  clientEmail?: string;
  project?: string;
  /** Where the key file says tokens are minted. Default: this fake's token endpoint. */
  tokenUri?: string;
}

/** A token request as received, and what the fake answered. */
export interface FakeTokenRequest {
  receivedAt: number;
  contentType?: string;
  grantType?: string;
  /** the assertion's decoded header and claims (unverified), when it had three parts */
  header?: JsonRecord;
  claims?: JsonRecord;
  status: number;
  error?: string;
}

export interface FakeVertexRequest {
  receivedAt: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** the bearer token the call carried */
  token?: string;
  /** the service account the token was minted for, when it was one of this fake's */
  account?: string;
  project?: string;
  location?: string;
  publisher?: string;
  model?: string;
  verb?: string;
  status: number;
}

export interface FakeVertexFault {
  /** substring of the request path (query included) */
  path?: string;
  times?: number;
  status: number;
  /** default: Google's `google.rpc.Status` body for the status */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeVertex {
  url: string;
  /** `{url}/token`: the default `token_uri` of the accounts it makes */
  tokenUri: string;
  tokenRequests: FakeTokenRequest[];
  requests: FakeVertexRequest[];
  /** Tokens minted successfully since the start or the last reset. */
  readonly mints: number;
  /** A new service account: the key file's JSON, as an admin pastes it (its public key registered here). */
  serviceAccount(opts?: FakeServiceAccountOptions): string;
  /** The account's key is deleted in IAM: its assertions fail the signature check (`invalid_grant`). */
  deleteKey(clientEmail: string): void;
  /** Every token minted so far stops being accepted (a 401 until the client mints again). */
  revokeTokens(): void;
  /** The next matching Vertex calls (not token requests) get this answer. */
  setFault(fault: FakeVertexFault): void;
  /** The next `times` token requests get this status and body (default: a Google 503). */
  setTokenFault(fault: { status: number; body?: unknown; times?: number }): void;
  /** Forgets requests, faults and the mint count (accounts and their tokens stay). */
  reset(): void;
  close(): Promise<void>;
}

interface Account {
  email: string;
  keyId: string;
  publicKey: KeyObject;
  deleted: boolean;
}

const b64json = (part: string): JsonRecord | undefined => {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
};

const oauthError = (error: string, description: string) => ({ status: 400, body: { error, error_description: description } });

class FakeVertexServer implements FakeVertex {
  url = '';
  tokenUri = '';
  mints = 0;
  readonly tokenRequests: FakeTokenRequest[] = [];
  readonly requests: FakeVertexRequest[] = [];
  private readonly accounts = new Map<string, Account>();
  private readonly tokens = new Map<string, { email: string; expiresAt: number }>();
  private faults: (FakeVertexFault & { remaining: number })[] = [];
  private tokenFaults: { status: number; body?: unknown; remaining: number }[] = [];
  private readonly ids = new IdSource(0x5eed);
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private readonly projects: Set<string>;
  private readonly locations: Set<string>;
  private readonly lifetime: number;
  private seq = 0;

  constructor(opts: FakeVertexOptions) {
    this.projects = new Set(opts.projects ?? ['test-project']);
    this.locations = new Set(opts.locations ?? ['us-central1', 'us-east5', 'global']);
    this.lifetime = opts.tokenLifetimeSeconds ?? 3599;
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.tokenUri = `${this.url}/token`;
  }

  serviceAccount(opts: FakeServiceAccountOptions = {}): string {
    const project = opts.project ?? [...this.projects][0] ?? 'test-project';
    const email = opts.clientEmail ?? `svc-${++this.seq}@${project}.iam.gserviceaccount.com`;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const keyId = randomBytes(20).toString('hex');
    this.accounts.set(email, { email, keyId, publicKey: createPublicKey(publicKey), deleted: false });
    return JSON.stringify(
      {
        type: 'service_account',
        project_id: project,
        private_key_id: keyId,
        private_key: privateKey,
        client_email: email,
        client_id: String(100000000000000000000n + BigInt(this.seq)),
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: opts.tokenUri ?? this.tokenUri,
        auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
        client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
        universe_domain: 'googleapis.com',
      },
      null,
      2,
    );
  }

  deleteKey(clientEmail: string): void {
    const a = this.accounts.get(clientEmail);
    if (a) a.deleted = true;
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  setFault(fault: FakeVertexFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  setTokenFault(fault: { status: number; body?: unknown; times?: number }): void {
    this.tokenFaults.push({ ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  reset(): void {
    this.mints = 0;
    this.requests.length = 0;
    this.tokenRequests.length = 0;
    this.faults = [];
    this.tokenFaults = [];
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const pathname = path.split('?')[0];
      if (req.method === 'POST' && pathname === '/token') return this.send(res, this.token(req, raw));
      void this.vertex(req, res, path, raw);
    });
    res.on('error', () => undefined);
  }

  // ---------- OAuth 2.0 token endpoint (JWT bearer grant, RFC 7523 as Google runs it) ----------

  private token(req: IncomingMessage, raw: string): ErrorReply {
    const contentType = req.headers['content-type'];
    const form = new URLSearchParams(raw);
    const rec: FakeTokenRequest = { receivedAt: Date.now(), contentType, grantType: form.get('grant_type') ?? undefined, status: 0 };
    this.tokenRequests.push(rec);
    const answer = (r: ErrorReply): ErrorReply => {
      rec.status = r.status;
      if (isRecord(r.body) && typeof r.body.error === 'string') rec.error = r.body.error;
      return r;
    };
    const fault = this.tokenFaults[0];
    if (fault) {
      if (--fault.remaining <= 0) this.tokenFaults.shift();
      return answer({ status: fault.status, body: fault.body ?? { error: 'internal_failure', error_description: 'Backend Error' }, headers: {} });
    }
    if (!/^application\/x-www-form-urlencoded/.test(contentType ?? '')) {
      return answer({ ...oauthError('invalid_request', 'Invalid Content-Type: expected application/x-www-form-urlencoded'), headers: {} });
    }
    if (rec.grantType !== JWT_BEARER) {
      return answer({ ...oauthError('unsupported_grant_type', `Invalid grant_type: ${rec.grantType ?? ''}`), headers: {} });
    }
    const parts = (form.get('assertion') ?? '').split('.');
    const header = parts.length === 3 ? b64json(parts[0]) : undefined;
    const claims = parts.length === 3 ? b64json(parts[1]) : undefined;
    rec.header = header;
    rec.claims = claims;
    const invalid = (d: string) => answer({ ...oauthError('invalid_grant', d), headers: {} });
    if (!header || !claims) return invalid('Invalid JWT: the assertion is not a signed JWT.');
    if (header.alg !== 'RS256') return invalid(`Invalid JWT: unsupported algorithm ${String(header.alg)}.`);
    const account = this.accounts.get(String(claims.iss));
    if (!account) return invalid('Invalid grant: account not found');
    const signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), account.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!signed || account.deleted) return invalid('Invalid JWT Signature.');
    if (claims.aud !== this.tokenUri) return invalid(`Invalid JWT: Failed audience check. The expected audience is ${this.tokenUri}.`);
    const scopes = String(claims.scope ?? '').split(' ');
    if (!scopes.includes(FAKE_VERTEX_SCOPE)) {
      return answer({ ...oauthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.'), headers: {} });
    }
    const now = Math.floor(Date.now() / 1000);
    const iat = asNumber(claims.iat);
    const exp = asNumber(claims.exp);
    if (iat === undefined || exp === undefined || exp - iat > 3600 || exp <= iat || iat > now + 300 || exp < now) {
      return invalid(
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    const token = `ya29.c.${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, { email: account.email, expiresAt: Date.now() + this.lifetime * 1000 });
    this.mints++;
    return answer({ status: 200, body: { access_token: token, expires_in: this.lifetime, token_type: 'Bearer' }, headers: {} });
  }

  // ---------- the Vertex AI API ----------

  private async vertex(req: IncomingMessage, res: ServerResponse, path: string, raw: string): Promise<void> {
    const [pathname, qs = ''] = path.split('?');
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = auth?.[1];
    const held = token ? this.tokens.get(token) : undefined;
    const m = RESOURCE.exec(pathname);
    let body: unknown;
    let badJson = false;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      badJson = true;
    }
    const rec: FakeVertexRequest = {
      receivedAt: Date.now(),
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      token,
      account: held?.email,
      ...(m ? { project: m[1], location: m[2], publisher: m[3], model: decodeURIComponent(m[4]), verb: m[5] } : {}),
      status: 0,
    };
    this.requests.push(rec);
    const reply = this.answer(req, rec, qs, held, badJson);
    rec.status = reply.kind === 'stream' ? 200 : reply.status;
    await this.sendReply(res, reply);
  }

  private answer(req: IncomingMessage, rec: FakeVertexRequest, qs: string, held: { expiresAt: number } | undefined, badJson: boolean): MockReply {
    const fault = this.faults.find((f) => f.path === undefined || rec.path.includes(f.path));
    if (fault) {
      if (--fault.remaining <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      const def = geminiError(fault.status);
      return { kind: 'json', status: fault.status, body: fault.body ?? def.body, headers: fault.headers };
    }
    if (!held || held.expiresAt <= Date.now()) {
      return errorReply(
        geminiError(
          401,
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
          [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: rec.token ? 'ACCESS_TOKEN_EXPIRED' : 'CREDENTIALS_MISSING',
              domain: 'googleapis.com',
            },
          ],
        ),
      );
    }
    if (rec.method !== 'POST' || !rec.verb) return errorReply(geminiError(404, `Method not found: ${rec.method} ${rec.path}`));
    const resource = `projects/${rec.project}/locations/${rec.location}/publishers/${rec.publisher}/models/${rec.model}`;
    if (!this.projects.has(rec.project!)) {
      return errorReply(
        geminiError(403, `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`),
      );
    }
    if (!this.locations.has(rec.location!)) return errorReply(geminiError(400, `Location ${rec.location} is not supported.`));
    if (badJson || !isRecord(rec.body)) return errorReply(geminiError(400, 'Invalid JSON payload received. Unexpected token.'));
    const ctx: RequestContext = {
      vendor: rec.publisher === 'anthropic' ? 'anthropic' : 'gemini',
      method: 'POST',
      pathname: rec.path,
      query: new URLSearchParams(qs),
      headers: req.headers,
      body: rec.body,
      shape: {},
      ids: this.ids,
    };
    const model = rec.model!;
    if (rec.publisher === 'google') {
      if (/^claude/.test(model)) return errorReply(geminiError(404, `Publisher Model \`${resource}\` not found.`));
      switch (rec.verb) {
        case 'generateContent':
          return geminiGenerate(ctx, model, false);
        case 'streamGenerateContent':
          return geminiGenerate(ctx, model, true);
        case 'countTokens':
          return geminiCountTokens(ctx, model);
        case 'predict':
          return model.startsWith('imagen') ? imagenPredict(ctx, model) : this.predictEmbeddings(rec.body, model, resource);
        case 'embedContent':
          return this.embedContent(rec.body, model);
      }
    } else if (rec.publisher === 'anthropic') {
      if (!/^claude/.test(model)) return errorReply(geminiError(404, `Publisher Model \`${resource}\` not found.`));
      if (rec.verb === 'rawPredict' || rec.verb === 'streamRawPredict') return this.claude(ctx, rec.body, model, rec.verb === 'streamRawPredict');
    }
    return errorReply(geminiError(404, `Method not found: ${rec.verb} on ${resource}`));
  }

  /** Claude on Vertex: the Messages body without `model`, with the Vertex `anthropic_version`; stream per the verb. */
  private claude(ctx: RequestContext, body: JsonRecord, model: string, streamVerb: boolean): MockReply {
    const invalid = (message: string) => errorReply(anthropicError(400, message));
    if (body.model !== undefined) return invalid('model: Extra inputs are not permitted');
    if (body.anthropic_version === undefined) return invalid('anthropic_version: Field required');
    // Anthropic's own version string on Vertex is a 404 (reference §2.1).
    if (body.anthropic_version !== ANTHROPIC_VERSION)
      return errorReply(geminiError(404, `Publisher Model \`${model}\` was not found or your project does not have access to it.`));
    if ((body.stream === true) !== streamVerb)
      return invalid(streamVerb ? 'stream: streamRawPredict requires "stream": true' : 'stream: use streamRawPredict to stream');
    const rest: JsonRecord = { ...body };
    delete rest.anthropic_version;
    return anthropicMessages({ ...ctx, body: { ...rest, model } });
  }

  /** text-embedding-* and gemini-embedding-001: `instances[].content` → `predictions[].embeddings`. */
  private predictEmbeddings(body: JsonRecord, model: string, resource: string): MockReply {
    if (!/embedding/.test(model)) return errorReply(geminiError(400, `Model ${resource} does not support predict.`));
    const instances = asArray(body.instances).map(asRecord);
    if (instances.length === 0) return errorReply(geminiError(400, "Invalid value at 'instances': instances is not specified."));
    const dims = asNumber(asRecord(body.parameters).outputDimensionality) ?? 768;
    const predictions: JsonRecord[] = [];
    let chars = 0;
    for (let i = 0; i < instances.length; i++) {
      const text = asString(instances[i].content);
      if (!text) return errorReply(geminiError(400, `Invalid value at 'instances[${i}].content': content is required.`));
      chars += text.replace(/\s/g, '').length;
      predictions.push({ embeddings: { values: toNumberArray(embedVector(text, dims)), statistics: { token_count: countWords(text), truncated: false } } });
    }
    return jsonReply({ predictions, metadata: { billableCharacterCount: chars } });
  }

  /** Newer Gemini embedding models: one `content` → `embedding` with `usageMetadata`. */
  private embedContent(body: JsonRecord, model: string): MockReply {
    if (!/embedding/.test(model)) return errorReply(geminiError(400, `Model ${model} does not support embedContent.`));
    const text = asArray(asRecord(body.content).parts)
      .map((p) => asString(asRecord(p).text) ?? '')
      .join(' ')
      .trim();
    if (!text) return errorReply(geminiError(400, "Invalid value at 'content': content is required."));
    const dims = asNumber(asRecord(body.embedContentConfig).outputDimensionality) ?? 3072;
    const n = countWords(text);
    return jsonReply({
      embedding: { values: toNumberArray(embedVector(text, dims)) },
      usageMetadata: { promptTokenCount: n, totalTokenCount: n },
      truncated: false,
    });
  }

  private send(res: ServerResponse, r: ErrorReply): void {
    const text = JSON.stringify(r.body);
    res.writeHead(r.status, { 'content-type': 'application/json; charset=UTF-8', ...r.headers }).end(text);
  }

  private async sendReply(res: ServerResponse, reply: MockReply): Promise<void> {
    if (reply.kind === 'json') return this.send(res, { status: reply.status, body: reply.body, headers: reply.headers ?? {} });
    if (reply.kind === 'bytes') return void res.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.body);
    res.writeHead(200, { 'content-type': reply.contentType, 'cache-control': 'no-cache', ...reply.headers });
    const array = reply.framing === 'json-array';
    reply.events.forEach((e, i) => res.write(array ? (i === 0 ? '[' : ',\r\n') + e.data : e.data));
    res.end(array ? ']' : '');
  }
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeVertex(opts: FakeVertexOptions = {}): Promise<FakeVertex> {
  const server = new FakeVertexServer(opts);
  await server.listen();
  return server;
}
