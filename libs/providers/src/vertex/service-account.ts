import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { MintedToken } from '../credentials/token-cache';
import { CredentialError } from '../provider.types';

/** The OAuth scope Vertex AI calls need. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google refuses assertions that live longer than an hour. */
const ASSERTION_LIFETIME_S = 3600;
/** A token endpoint that does not answer within this fails the attempt (the next key or channel is tried). */
const TOKEN_TIMEOUT_MS = 15_000;

/** What a service-account key file holds that minting needs (the rest is ignored). */
export interface ServiceAccount {
  clientEmail: string;
  privateKeyId?: string;
  tokenUri: string;
  /** the token cache's key: a digest of the whole key, so a replaced key never reuses a token minted for another */
  cacheKey: string;
  privateKey: () => KeyObject;
}

const parsed = new Map<string, ServiceAccount>();
const MAX_PARSED = 1000;

const unusable = (why: string) => new CredentialError(`the key is not a usable service-account JSON: ${why}`, 401);

/**
 * The channel key as a service account: JSON with `client_email`, `private_key` (PKCS#8 PEM) and `token_uri` (Google's
 * when absent). Malformed keys are the key's fault (401); messages name the field, never its value.
 */
export function parseServiceAccount(apiKey: string): ServiceAccount {
  const held = parsed.get(apiKey);
  if (held) return held;
  let json: unknown;
  try {
    json = JSON.parse(apiKey);
  } catch {
    throw unusable('it is not JSON (paste the whole key file downloaded from Google Cloud)');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw unusable('it is not a JSON object');
  const o = json as Record<string, unknown>;
  if (o.type !== undefined && o.type !== 'service_account') {
    throw unusable(`type is ${typeof o.type === 'string' ? `"${o.type.slice(0, 40)}"` : typeof o.type}, expected "service_account"`);
  }
  const str = (k: string) => {
    const v = o[k];
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const clientEmail = str('client_email');
  if (!clientEmail) throw unusable('client_email is missing');
  const pem = str('private_key');
  if (!pem) throw unusable('private_key is missing');
  const tokenUri = str('token_uri') ?? GOOGLE_TOKEN_URI;
  if (!/^https?:\/\/[^\s/]+/.test(tokenUri)) throw unusable('token_uri is not an http(s) URL');
  let key: KeyObject | undefined;
  const sa: ServiceAccount = {
    clientEmail,
    privateKeyId: str('private_key_id'),
    tokenUri,
    cacheKey: `vertex:${createHash('sha256').update(apiKey).digest('base64url')}`,
    privateKey: () => (key ??= importPrivateKey(pem)),
  };
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(apiKey, sa);
  return sa;
}

function importPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw unusable('private_key is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw unusable('private_key is not an RSA key');
  return key;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The RS256-signed JWT bearer assertion Google's token endpoint takes (RFC 7523), valid for an hour from `nowMs`. */
export function signAssertion(sa: ServiceAccount, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(sa.privateKeyId ? { kid: sa.privateKeyId } : {}) };
  const claims = { iss: sa.clientEmail, scope: CLOUD_PLATFORM_SCOPE, aud: sa.tokenUri, iat, exp: iat + ASSERTION_LIFETIME_S };
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), sa.privateKey()).toString('base64url')}`;
}

/** OAuth errors that say the credential itself is refused (deleted or disabled account, revoked key, bad signature). */
const KEY_REFUSED = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'access_denied', 'invalid_scope']);

/**
 * Exchanges a signed assertion for an access token at the account's `token_uri`. A refused grant blames the key
 * (401/403); an unreachable endpoint, a 5xx or a garbled answer blames the upstream (502), so the next key is tried
 * without marking this one failed.
 */
export async function mintAccessToken(sa: ServiceAccount, fetchFn: typeof fetch, nowMs: number): Promise<MintedToken> {
  const assertion = signAssertion(sa, nowMs);
  const where = new URL(sa.tokenUri).origin;
  let res: Response;
  let text: string;
  try {
    res = await fetchFn(sa.tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (e) {
    throw new CredentialError(`token endpoint ${where} unreachable: ${(e as Error).message}`, 502);
  }
  let body: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
  } catch {
    // not JSON: judged by the status below
  }
  if (!res.ok) {
    const error = typeof body.error === 'string' ? body.error : undefined;
    const detail = [error, typeof body.error_description === 'string' ? body.error_description : undefined].filter(Boolean).join(': ');
    const message = `token endpoint ${where} answered ${res.status}${detail ? ` (${detail.slice(0, 300)})` : ''}`;
    if (res.status === 403) throw new CredentialError(message, 403);
    if (res.status === 401 || (res.status === 400 && error !== undefined && KEY_REFUSED.has(error))) throw new CredentialError(message, 401);
    throw new CredentialError(message, 502);
  }
  const token = typeof body.access_token === 'string' ? body.access_token : '';
  if (!token) throw new CredentialError(`token endpoint ${where} answered without an access_token`, 502);
  const ttl = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
  return { value: token, expiresAt: nowMs + ttl * 1000 };
}
