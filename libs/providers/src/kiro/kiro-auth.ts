import type { CredentialContext } from '../provider.types';
import { CredentialError } from '../provider.types';
import type { MintedToken } from '../credentials/token-cache';
import { kiroAccountId, type KiroCredential } from './kiro-credential';

/** What a refresh gives a request: the access token and, for social logins, the profile ARN the account answered. */
export interface KiroSession {
  accessToken: string;
  profileArn?: string;
}

const REFRESH_TIMEOUT_MS = 15_000;
const MAX_ERROR_TEXT = 300;

/** Social logins refresh at Kiro's desktop auth host; Builder ID / IdC at AWS' OIDC token endpoint (§3.1). */
export function kiroRefreshUrl(cred: KiroCredential, config: Readonly<Record<string, unknown>>): string {
  const configured = typeof config.refreshUrl === 'string' && config.refreshUrl.trim() ? config.refreshUrl.trim() : undefined;
  if (configured) return configured;
  return cred.authMethod === 'social' ? `https://prod.${cred.region}.auth.desktop.kiro.dev/refreshToken` : `https://oidc.${cred.region}.amazonaws.com/token`;
}

const stateKey = (cred: KiroCredential) => `kiro:${kiroAccountId(cred)}:refreshToken`;
export const kiroTokenKey = (cred: KiroCredential) => `kiro:${kiroAccountId(cred)}`;

/** The cached session of the credential, refreshed once (across replicas with a shared cache) when due. */
export async function kiroSession(cred: KiroCredential, ctx: CredentialContext): Promise<KiroSession> {
  const value = await ctx.services.tokens.get(kiroTokenKey(cred), () => refreshKiroToken(cred, ctx));
  return JSON.parse(value) as KiroSession;
}

/**
 * One refresh. The refresh token is the newest this deployment saw (Kiro rotates them; a rotated one is stored, sealed,
 * in the services' state store — Redis in a cluster, DATA_DIR standalone — before the new access token is used, so a
 * restart or another replica never sends a retired one). A refusal (400/401/403, `invalid_grant`) is the key's fault.
 */
export async function refreshKiroToken(cred: KiroCredential, ctx: CredentialContext): Promise<MintedToken> {
  const state = ctx.services.state;
  let stored: string | null;
  try {
    stored = state ? await state.read(stateKey(cred)) : null;
  } catch (e) {
    // Refreshing with the key's first token could be refused once it was rotated: wait for the store instead.
    throw new CredentialError(`kiro credential state unavailable: ${(e as Error).message}`, 503);
  }
  const refreshToken = stored ?? cred.refreshToken;
  const body =
    cred.authMethod === 'social' ? { refreshToken } : { clientId: cred.clientId, clientSecret: cred.clientSecret, grantType: 'refresh_token', refreshToken };
  let res: Response;
  try {
    res = await ctx.services.fetch(kiroRefreshUrl(cred, ctx.config), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
    });
  } catch (e) {
    throw new CredentialError(`kiro token refresh failed: ${(e as Error).message}`, 502);
  }
  const text = await res.text().catch(() => '');
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    // not JSON: reported by status below
  }
  if (!res.ok) {
    const reason = [json.error, json.error_description ?? json.message].filter((v) => typeof v === 'string').join(': ') || text.slice(0, MAX_ERROR_TEXT);
    const keyFault = res.status === 400 || res.status === 401 || res.status === 403;
    throw new CredentialError(
      `kiro token refresh refused (${res.status})${reason ? `: ${reason.slice(0, MAX_ERROR_TEXT)}` : ''}`,
      keyFault ? 401 : res.status === 429 ? 429 : 502,
    );
  }
  const accessToken = json.accessToken ?? json.access_token;
  if (typeof accessToken !== 'string' || !accessToken) throw new CredentialError('kiro token refresh answered no accessToken', 502);
  const rotated = json.refreshToken ?? json.refresh_token;
  // A failed write keeps the token minted: the old refresh token may still work, and this session does anyway.
  if (state && typeof rotated === 'string' && rotated && rotated !== refreshToken) await state.write(stateKey(cred), rotated).catch(() => undefined);
  const expiresIn = Number(json.expiresIn ?? json.expires_in);
  const session: KiroSession = { accessToken };
  if (typeof json.profileArn === 'string' && json.profileArn) session.profileArn = json.profileArn;
  return { value: JSON.stringify(session), expiresAt: Date.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000 };
}
