// A real OpenID Connect provider (the `oidc-provider` package) for e2e tests, run as its own process because the
// package is ESM-only. Usage: node oidc-provider.mjs <port> <redirect_uri> <client_id> <client_secret>; prints
// "ready" once listening. Its dev login form accepts any login: `<name>` gets email <name>@example.test, verified
// unless the name starts with "unverified".
import Provider from 'oidc-provider';

const [port, redirectUri, clientId, clientSecret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: !sub.startsWith('unverified'), preferred_username: sub }),
  }),
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['switchboard-test-cookie-key'] },
  // id_token carries the claims directly (no userinfo call needed)
  conformIdTokenClaims: false,
});
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
