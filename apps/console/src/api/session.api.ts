import { errorFrom } from './admin-client';

/** The signed-in person of a password session (none for the admin key). */
export interface SessionUser {
  id: number;
  name: string;
  role: 'root' | 'admin' | 'user';
  /** its organisation: an admin with one manages only that org (an org admin); null or absent = the platform */
  orgId?: number | null;
}

/** `POST /api/session` answer (SPEC §8): the cookie is HttpOnly; the CSRF token is what the page keeps. */
export interface SessionStarted {
  csrfToken: string;
  expiresAt: string;
  user?: SessionUser;
}

/** How to sign in: the admin key, or a username and password (with the TOTP or a backup code when 2FA is on). */
export type Credentials = { adminKey: string } | { username: string; password: string; totp?: string };

/** `POST /api/me/password`: `currentPassword` is left out only by an account that has none yet. */
export interface PasswordChange {
  currentPassword?: string;
  newPassword: string;
  totp?: string;
}

/**
 * The session endpoints, outside the admin route table because the gateway itself answers them; with them the two
 * /api/me routes that replace or end the session (a password change answers a new session, like a sign-in).
 */
export function createSessionApi(fetchFn: typeof fetch) {
  return {
    async signIn(credentials: Credentials): Promise<SessionStarted> {
      const res = await fetchFn('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(credentials),
      });
      if (!res.ok) throw await errorFrom(res);
      return (await res.json()) as SessionStarted;
    },
    /** null when not signed in; the answer may carry the CSRF token again (a new tab has none in sessionStorage). */
    async current(): Promise<{ csrfToken?: string; user?: SessionUser } | null> {
      const res = await fetchFn('/api/session', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (res.status === 401) return null;
      if (!res.ok) throw await errorFrom(res);
      return ((await res.json().catch(() => ({}))) ?? {}) as { csrfToken?: string; user?: SessionUser };
    },
    async signOut(csrfToken: string | null): Promise<void> {
      await fetchFn('/api/session', { method: 'DELETE', headers: csrfToken ? { 'x-csrf-token': csrfToken } : {}, credentials: 'same-origin' });
    },
    /** The new session (cookie and CSRF token) that replaces this one; every other session of the user has ended. */
    async changePassword(csrfToken: string | null, change: PasswordChange): Promise<SessionStarted> {
      const res = await fetchFn('/api/me/password', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
        credentials: 'same-origin',
        body: JSON.stringify(change),
      });
      if (!res.ok) throw await errorFrom(res);
      return (await res.json()) as SessionStarted;
    },
    /** Ends every session of the user, this one included. */
    async signOutEverywhere(csrfToken: string | null): Promise<void> {
      const res = await fetchFn('/api/me/sessions/revoke', {
        method: 'POST',
        headers: { accept: 'application/json', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
        credentials: 'same-origin',
      });
      if (!res.ok) throw await errorFrom(res);
    },
  };
}
