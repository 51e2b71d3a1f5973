/** The routes /docs lists that are not admin routes (those come from ADMIN_ROUTES): relay, redeem, ops. */
export interface StaticRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI syntax (`{model}`) */
  path: string;
  tag: 'relay' | 'admin' | 'ops';
  auth: 'key' | 'none' | 'session';
  summary: string;
  /** JSON Schema of the body, where the route documents it */
  body?: Record<string, unknown>;
  /** success status and JSON Schema of its answer (no schema: an empty answer) */
  answer?: { status: number; schema?: Record<string, unknown> };
}

const relay = (method: StaticRoute['method'], path: string, summary: string): StaticRoute => ({ method, path, tag: 'relay', auth: 'key', summary });

export const RELAY_ROUTES: StaticRoute[] = [
  relay('post', '/v1/chat/completions', 'OpenAI Chat Completions (stream with "stream": true); any channel type'),
  relay('post', '/v1/responses', 'OpenAI Responses (stream and not)'),
  relay('post', '/v1/embeddings', 'OpenAI Embeddings (float and base64)'),
  relay('post', '/v1/rerank', 'Rerank in the Cohere/Jina shape (cohere, jina, voyage, channels declaring rerank); billed per search unit'),
  relay('get', '/v1/models', "Models this key may use, in the caller's shape (OpenAI, Anthropic or Gemini by auth carrier)"),
  relay('get', '/v1/models/{id}', "One model this key may use and a channel serves, in the caller's shape; else 404 (model_not_found)"),
  relay('get', '/v1beta/models/{model}', 'One Gemini model (also under /v1/models/… for Gemini key carriers)'),
  relay('post', '/v1/messages', 'Anthropic Messages (stream and not)'),
  relay('post', '/v1/messages/count_tokens', 'Anthropic token count (answered at the edge)'),
  relay('post', '/v1beta/models/{model}:generateContent', 'Gemini generateContent (also under /v1/models/…)'),
  relay('post', '/v1beta/models/{model}:streamGenerateContent', 'Gemini stream (?alt=sse)'),
  relay('post', '/v1beta/models/{model}:countTokens', 'Gemini token count (answered at the edge)'),
  relay('post', '/v1beta/models/{model}:embedContent', 'Gemini embedContent'),
  relay('post', '/v1beta/models/{model}:batchEmbedContents', 'Gemini batchEmbedContents'),
  relay('get', '/v1beta/models', 'Gemini model list'),
  relay('post', '/v1/completions', 'OpenAI legacy Completions (stream and not); chat-only upstreams through Chat'),
  relay('post', '/v1/moderations', 'OpenAI Moderations'),
  relay('post', '/v1/images/generations', 'OpenAI image generation (b64_json or url); Gemini channels through Imagen or native image output'),
  relay('post', '/v1/images/edits', 'OpenAI image edit (multipart upload, up to MAX_UPLOAD_BYTES)'),
  relay('post', '/v1/images/variations', 'OpenAI image variation (multipart upload)'),
  relay('post', '/v1/audio/transcriptions', 'OpenAI transcription (multipart upload; json, text, srt, verbose_json, vtt; stream where the model streams)'),
  relay('post', '/v1/audio/translations', 'OpenAI translation to English (multipart upload)'),
  relay('post', '/v1/audio/speech', 'OpenAI text to speech (audio bytes, or SSE with stream_format "sse")'),
  relay('post', '/v1/rerank', 'Rerank in the Cohere/Jina shape: { model, query, documents, top_n? } → { results: [{ index, relevance_score, document? }] }'),
  relay('get', '/v1/realtime', 'OpenAI Realtime: a WebSocket upgrade (?model=…; key as Bearer or the openai-insecure-api-key.<key> subprotocol)'),
  relay('post', '/mcp/{name}', 'MCP server {name} over streamable HTTP (stateless: one JSON-RPC message per POST); keys of its groups only'),
  relay('get', '/mcp/{name}/sse', 'MCP server {name} over the HTTP+SSE transport: the stream, whose first event names where to POST'),
  relay('post', '/mcp/{name}/messages', 'A message of an MCP SSE session (?sessionId=…), by the key that opened it'),
];

/** `POST /api/redeem` is authorised by a token key, not the admin key, so it is not an admin route. */
export const REDEEM_ROUTE: StaticRoute = {
  method: 'post',
  path: '/api/redeem',
  tag: 'admin',
  auth: 'key',
  summary: 'Redeem a code onto the calling token’s user (token key, not the admin key)',
};

const ops = (path: string, summary: string): StaticRoute => ({ method: 'get', path, tag: 'ops', auth: 'none', summary });

export const OPS_ROUTES: StaticRoute[] = [
  ops('/api/status', 'Version, uptime, mode'),
  ops('/health/live', 'Liveness'),
  ops('/health/ready', 'Readiness (503 while a dependency is down or while draining)'),
  ops('/metrics', 'Prometheus metrics'),
];

const SESSION_ANSWER = {
  type: 'object',
  required: ['csrfToken', 'expiresAt'],
  properties: {
    csrfToken: { type: 'string', description: 'send as x-csrf-token on every cookie-authenticated request other than GET/HEAD/OPTIONS' },
    expiresAt: { type: 'string', format: 'date-time', description: 'when the session ends if it stays idle' },
  },
};

/** The admin console's session (an HttpOnly `sb_session` cookie, accepted by `/api/*` like the admin key). */
export const SESSION_ROUTES: StaticRoute[] = [
  {
    method: 'post',
    path: '/api/session',
    tag: 'admin',
    auth: 'none',
    summary:
      'Sign in with the admin key, or with a username and password (and `totp`, a 6-digit code or a backup code, when the user has 2FA: 401 totp_required without it): sets the HttpOnly cookie sb_session (SameSite=Lax); a wrong key or password is 401 (invalid_credentials) and counts toward the throttles (429 with Retry-After)',
    body: {
      oneOf: [
        { type: 'object', required: ['adminKey'], properties: { adminKey: { type: 'string' } }, additionalProperties: false },
        {
          type: 'object',
          required: ['username', 'password'],
          properties: { username: { type: 'string' }, password: { type: 'string' }, totp: { type: 'string' } },
          additionalProperties: false,
        },
      ],
    },
    answer: { status: 200, schema: SESSION_ANSWER },
  },
  {
    method: 'get',
    path: '/api/session',
    tag: 'admin',
    auth: 'session',
    summary: 'How the caller is signed in: the console session (its CSRF token and end) or the admin key; 401 for neither',
    answer: {
      status: 200,
      schema: {
        type: 'object',
        required: ['via'],
        properties: { via: { type: 'string', enum: ['session', 'adminKey'] }, ...SESSION_ANSWER.properties },
      },
    },
  },
  {
    method: 'delete',
    path: '/api/session',
    tag: 'admin',
    auth: 'session',
    summary: 'Sign out: ends the session on the server (the old cookie then gets 401); needs x-csrf-token',
    answer: { status: 204 },
  },
];

const me = (method: StaticRoute['method'], path: string, summary: string, status = 200): StaticRoute => ({
  method,
  path,
  tag: 'admin',
  auth: 'session',
  summary: `${summary} (a signed-in user of any role; the admin key has no account: 403)`,
  answer: { status },
});

const open = (method: StaticRoute['method'], path: string, summary: string, status = 200): StaticRoute => ({
  method,
  path,
  tag: 'admin',
  auth: 'none',
  summary,
  answer: { status },
});

/** Sign-in methods beyond the password: OIDC and passkeys (SPEC §8). */
export const SIGN_IN_ROUTES: StaticRoute[] = [
  open('get', '/api/auth/methods', 'What the sign-in page offers: { oidc: { name } | null, passkey: true }'),
  open(
    'get',
    '/api/auth/oidc/login',
    'Starts OpenID Connect sign-in: 302 to the provider (code flow with PKCE, state and nonce); 404 unless OIDC_ISSUER is set',
    302,
  ),
  open('get', '/api/auth/oidc/callback', "The provider's redirect back: sets sb_session and 302 to the console, or 302 to /?signin_error=<code>", 302),
  open('post', '/api/auth/passkey/login/options', 'WebAuthn request options for a passwordless sign-in (a challenge valid 5 minutes, once)'),
  open('post', '/api/auth/passkey/login/verify', 'Sign in with { response } (the browser assertion): sets sb_session, answers { csrfToken, expiresAt, user }'),
  me('post', '/api/auth/passkey/register/options', 'WebAuthn creation options to add a passkey'),
  me('post', '/api/auth/passkey/register/verify', 'Add a passkey { name, response } (the browser attestation)', 201),
  me('get', '/api/me/passkeys', 'My passkeys (names, transports, created and last used)'),
  me('patch', '/api/me/passkeys/{id}', 'Rename one of my passkeys { name }'),
  me('delete', '/api/me/passkeys/{id}', 'Delete one of my passkeys'),
];

/** Accounts: registration and the signed-in user's own data (never another user's). */
export const ACCOUNT_ROUTES: StaticRoute[] = [
  {
    method: 'post',
    path: '/api/auth/register',
    tag: 'admin',
    auth: 'none',
    summary: 'Create a `user` account { username, password } (only with REGISTRATION_ENABLED=true, else 403 registration_disabled); then sign in',
    body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string', minLength: 8 } } },
    answer: { status: 201 },
  },
  me('get', '/api/me', 'The signed-in user: role, group, balance, 2FA state, tokens held and allowed'),
  me('get', '/api/me/tokens', 'My tokens'),
  me(
    'post',
    '/api/me/tokens',
    'Create one of my tokens { name, expiresAt?, quota?, models? } (up to my maxTokens: 409 token_limit); the key is answered once',
    201,
  ),
  me('delete', '/api/me/tokens/{id}', 'Delete one of my tokens'),
  me('get', '/api/me/logs', 'My request logs (filters and cursor as /api/logs)'),
  me('get', '/api/me/usage', 'My spend and tokens by day, model and endpoint (?days=7) and my balance'),
  me('post', '/api/me/2fa/setup', 'Start 2FA: { secret, uri } (otpauth:// for a QR code)'),
  me('post', '/api/me/2fa/enable', 'Turn 2FA on with { code }: answers { backupCodes } (shown once, each usable once)'),
  me('post', '/api/me/2fa/disable', 'Turn 2FA off with { code } (a TOTP or backup code)'),
  me('post', '/api/me/2fa/backup-codes', 'New backup codes for { code }, replacing the old ones'),
  {
    ...me(
      'post',
      '/api/me/password',
      'Change my password: { currentPassword (left out only by an account without one, within 10 minutes of signing in), newPassword, totp (with 2FA on) }. Every other session ends; answers a new session like a sign-in { csrfToken, expiresAt, user } with its cookie',
    ),
    body: {
      type: 'object',
      required: ['newPassword'],
      properties: { currentPassword: { type: 'string' }, newPassword: { type: 'string', minLength: 8, maxLength: 256 }, totp: { type: 'string' } },
    },
  },
  me('post', '/api/me/sessions/revoke', 'Sign out everywhere: every session of mine ends, this one too (its cookie is cleared); answers { revoked: true }'),
  ...SIGN_IN_ROUTES,
];

/** Stripe top-ups (README "Payments (Stripe)"): Checkout for the signed-in user, and Stripe's webhook. */
export const PAYMENT_ROUTES: StaticRoute[] = [
  {
    ...me(
      'post',
      '/api/me/topup/checkout',
      'Open a Stripe Checkout session for { amount } in STRIPE_CURRENCY (between STRIPE_MIN_AMOUNT and STRIPE_MAX_AMOUNT): answers { url } to send the browser to',
    ),
    body: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } },
  },
  me('get', '/api/me/topups', 'My balance, the top-up currency and bounds, and my credits and reversals (newest first)'),
  {
    method: 'post',
    path: '/api/webhooks/stripe',
    tag: 'admin',
    auth: 'none',
    summary:
      'Stripe webhook (authorised by its Stripe-Signature over the raw body, 400 otherwise): checkout.session.completed credits once per event and session, charge.refunded reverses in proportion once; other events 200 and ignored',
    answer: { status: 200 },
  },
];

/** The gateway's own configuration (not an admin route: no service owns it, the gateway answers from its own config). */
export const SETTINGS_ROUTE: StaticRoute = {
  method: 'get',
  path: '/api/settings',
  tag: 'admin',
  auth: 'session',
  summary: 'The configuration this gateway runs with: every variable, its source (env, default, generated), credentials masked; version and uptime',
  answer: {
    status: 200,
    schema: {
      type: 'object',
      required: ['version', 'mode', 'service', 'node', 'startedAt', 'uptimeSeconds', 'settings'],
      properties: {
        version: { type: 'string' },
        mode: { type: 'string', enum: ['standalone', 'cluster'] },
        service: { type: 'string' },
        node: { type: 'string', description: 'Node.js version' },
        startedAt: { type: 'string', format: 'date-time' },
        uptimeSeconds: { type: 'integer' },
        settings: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'value', 'source', 'secret'],
            properties: {
              name: { type: 'string' },
              value: { description: 'null when unset; a credential shows only ****<last 4>, a URL without its password' },
              source: { type: 'string', enum: ['env', 'default', 'generated'] },
              secret: { type: 'boolean' },
            },
          },
        },
      },
    },
  },
};

/** The console's playground: an OpenAI chat request run as a token chosen by id (admin only). */
export const PLAYGROUND_ROUTE: StaticRoute = {
  method: 'post',
  path: '/api/playground/chat/completions',
  tag: 'admin',
  auth: 'session',
  summary:
    'OpenAI Chat Completions (stream or not) run as the token named by the x-switchboard-token-id header: that token’s limits, quota, routing, billing and request log apply',
  body: {
    type: 'object',
    required: ['model', 'messages'],
    properties: { model: { type: 'string' }, messages: { type: 'array' }, stream: { type: 'boolean' } },
  },
};
