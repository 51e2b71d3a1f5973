import { errorFrom } from './admin-client';

/** `POST /api/session` answer (SPEC §8): the cookie is HttpOnly; the CSRF token is what the page keeps. */
export interface SessionStarted {
  csrfToken: string;
  expiresAt: string;
}

/** The session endpoints, outside the admin route table because the gateway itself answers them. */
export function createSessionApi(fetchFn: typeof fetch) {
  return {
    async signIn(adminKey: string): Promise<SessionStarted> {
      const res = await fetchFn('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ adminKey }),
      });
      if (!res.ok) throw await errorFrom(res);
      return (await res.json()) as SessionStarted;
    },
    /** null when not signed in; the answer may carry the CSRF token again (a new tab has none in sessionStorage). */
    async current(): Promise<{ csrfToken?: string } | null> {
      const res = await fetchFn('/api/session', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (res.status === 401) return null;
      if (!res.ok) throw await errorFrom(res);
      return ((await res.json().catch(() => ({}))) ?? {}) as { csrfToken?: string };
    },
    async signOut(csrfToken: string | null): Promise<void> {
      await fetchFn('/api/session', { method: 'DELETE', headers: csrfToken ? { 'x-csrf-token': csrfToken } : {}, credentials: 'same-origin' });
    },
  };
}
