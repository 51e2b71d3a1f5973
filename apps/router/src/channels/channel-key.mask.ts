import { maskSecret } from '@switchboard/common';

/**
 * What names a JSON credential without revealing it, in order: a Google service account's `client_email` and an Entra
 * ID app's `clientId` are identities, not secrets (shown whole); a Kiro account's `refreshToken` is one (masked).
 */
const IDENTITIES: readonly { field: string; secret: boolean }[] = [
  { field: 'client_email', secret: false },
  { field: 'refreshToken', secret: true },
  { field: 'clientId', secret: false },
];

/**
 * A channel key as reads show it. A plain key: its first 3 and last 4 characters. A JSON credential (service account,
 * Kiro account, Entra app) would show as `{"r…-1"}` for every account of a pool alike: it shows the field that tells
 * the accounts apart instead, `{"client_email":"svc@p.iam.gserviceaccount.com"}` or `{"refreshToken":"aor…x9Yz"}`.
 */
export function maskChannelKey(key: string): string {
  const t = key.trim();
  if (t.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      v = undefined;
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      for (const { field, secret } of IDENTITIES) {
        const value = o[field];
        if (typeof value === 'string' && value) return `{"${field}":"${secret ? maskSecret(value) : value}"}`;
      }
    }
  }
  return maskSecret(key);
}
