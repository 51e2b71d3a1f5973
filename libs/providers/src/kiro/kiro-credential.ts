import { createHash } from 'node:crypto';
import { CredentialError } from '../provider.types';

/** A Kiro account as an admin pastes it (SPEC §8), from `~/.aws/sso/cache/kiro-auth-token.json` or a pool export. */
export interface KiroCredential {
  refreshToken: string;
  /** `social` (GitHub/Google login: Kiro's own refresh endpoint) or `idc` (Builder ID / IAM Identity Center: AWS OIDC) */
  authMethod: 'social' | 'idc';
  region: string;
  /**
   * A string: sent with every call. `null`: never sent (some IdC accounts are refused with one, kiro.rs #168).
   * Absent: the one the social refresh answers, if any.
   */
  profileArn?: string | null;
  clientId?: string;
  clientSecret?: string;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const IDC_METHODS = new Set(['idc', 'builder-id', 'builderid', 'iam', 'identitycenter', 'sso']);

/** The credential, or a CredentialError 401 saying what is wrong with it (never its values). */
export function parseKiroCredential(key: string): KiroCredential {
  let raw: unknown;
  try {
    raw = JSON.parse(key);
  } catch {
    throw new CredentialError('kiro key is not JSON: expected { "refreshToken", "authMethod", … }', 401);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CredentialError('kiro key must be a JSON object', 401);
  const o = raw as Record<string, unknown>;
  const str = (name: string): string | undefined => {
    const v = o[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new CredentialError(`kiro key: ${name} must be a string`, 401);
    return v.trim();
  };
  const refreshToken = str('refreshToken');
  if (!refreshToken) throw new CredentialError('kiro key: refreshToken is missing', 401);
  const clientId = str('clientId');
  const clientSecret = str('clientSecret');
  const method = str('authMethod')?.toLowerCase().replace(/[\s_]/g, '');
  let authMethod: KiroCredential['authMethod'];
  if (method === undefined) authMethod = clientId && clientSecret ? 'idc' : 'social';
  else if (method === 'social') authMethod = 'social';
  else if (IDC_METHODS.has(method)) authMethod = 'idc';
  else throw new CredentialError('kiro key: authMethod must be "social", "IdC" or "builder-id"', 401);
  if (authMethod === 'idc' && !(clientId && clientSecret))
    throw new CredentialError('kiro key: an IdC/Builder ID credential needs clientId and clientSecret', 401);
  const region = str('region') ?? 'us-east-1';
  if (!REGION.test(region)) throw new CredentialError('kiro key: region is not an AWS region (e.g. us-east-1)', 401);
  const cred: KiroCredential = { refreshToken, authMethod, region };
  if (o['profileArn'] === null) cred.profileArn = null;
  else {
    const arn = str('profileArn');
    if (arn) cred.profileArn = arn;
  }
  if (clientId) cred.clientId = clientId;
  if (clientSecret) cred.clientSecret = clientSecret;
  return cred;
}

/** The credential's region, or the default, without throwing (building a request; `prepare` checks the key). */
export function kiroRegionOf(key: string): string {
  try {
    return parseKiroCredential(key).region;
  } catch {
    return 'us-east-1';
  }
}

/**
 * The account's identity for caches and stored state: a hash of the refresh token it was added with (rotation does not
 * change it; replacing the key does).
 */
export function kiroAccountId(cred: Pick<KiroCredential, 'refreshToken'>): string {
  return createHash('sha256').update(`kiro:${cred.refreshToken}`).digest('hex').slice(0, 40);
}

/** The IDE's stable per-account machine id (a hex hash; the real IDE derives it from the machine). */
export function kiroMachineId(key: string): string {
  return createHash('sha256').update(`kiro-machine:${key}`).digest('hex');
}
