import { createHash } from 'node:crypto';
import { CredentialError } from '../provider.types';
import type { ProviderServices } from '../credentials/provider-services';
import type { MintedToken } from '../credentials/token-cache';

/** A key of an azure channel that is a Microsoft Entra ID app registration (client credentials), not an api-key. */
export interface EntraCredential {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
/** The audience of Azure OpenAI / AI Services tokens in the public cloud (sovereign clouds set `config.scope`). */
export const DEFAULT_ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';

/**
 * `{ "tenantId", "clientId", "clientSecret" }` → the credential; a plain api-key → null. A key that starts like JSON but
 * is not a complete credential throws (401: the key itself is unusable), so it is never sent as an api-key.
 */
export function entraCredentialOf(apiKey: string): EntraCredential | null {
  const text = apiKey.trim();
  if (!text.startsWith('{')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CredentialError('the key looks like an Entra ID credential but is not valid JSON', 401);
  }
  const o = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const missing = ['tenantId', 'clientId', 'clientSecret'].filter((k) => typeof o[k] !== 'string' || o[k] === '');
  if (missing.length) throw new CredentialError(`the Entra ID credential lacks ${missing.join(', ')}`, 401);
  return { tenantId: o.tenantId as string, clientId: o.clientId as string, clientSecret: o.clientSecret as string };
}

/** Where a credential's tokens are cached: per authority, tenant, app and secret (a rotated secret mints anew). */
export function entraCacheKey(cred: EntraCredential, authorityHost: string, scope: string): string {
  const secret = createHash('sha256').update(cred.clientSecret).digest('hex').slice(0, 16);
  return `azure-entra|${authorityHost}|${cred.tenantId}|${cred.clientId}|${secret}|${scope}`;
}

/** Entra's refusals that mean the credential itself is wrong (a bad secret, an unknown app or tenant). */
const CREDENTIAL_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant', 'invalid_request', 'invalid_scope']);

/**
 * The OAuth 2.0 client-credentials grant at `{authorityHost}/{tenant}/oauth2/v2.0/token`: `{ access_token, expires_in }`,
 * or `{ error, error_description: "AADSTS…" }` (400/401) that blames the key; anything else blames the endpoint.
 */
export async function mintEntraToken(services: ProviderServices, cred: EntraCredential, authorityHost: string, scope: string): Promise<MintedToken> {
  const url = `${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(cred.tenantId)}/oauth2/v2.0/token`;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: cred.clientId, client_secret: cred.clientSecret, scope });
  let res: Response;
  try {
    res = await services.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new CredentialError(`Entra ID token endpoint unreachable: ${(e as Error).message}`, 502);
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // an HTML error page or a proxy's answer: reported by status below
  }
  if (!res.ok) {
    const code = typeof body.error === 'string' ? body.error : undefined;
    const detail = typeof body.error_description === 'string' ? body.error_description.split(/\r?\n/)[0] : `HTTP ${res.status}`;
    const blamesKey = (res.status === 400 || res.status === 401) && code !== undefined && CREDENTIAL_ERRORS.has(code);
    throw new CredentialError(`Entra ID refused the client credentials (${code ?? res.status}): ${detail}`, blamesKey ? 401 : 502);
  }
  const token = body.access_token;
  const expiresIn = Number(body.expires_in);
  if (typeof token !== 'string' || token === '') throw new CredentialError('Entra ID answered without an access_token', 502);
  return { value: token, expiresAt: Date.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000 };
}
