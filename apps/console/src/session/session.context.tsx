import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { ApiError, createAdminClient, type AdminCall } from '../api/admin-client';
import { createSessionApi, type Credentials, type PasswordChange, type SessionUser } from '../api/session.api';
import { CsrfTokenStore } from './csrf-token.store';

interface Session {
  signedIn: boolean;
  /** the signed-in person; null with the admin key (which acts as root) */
  user: SessionUser | null;
  checking: boolean;
  api: AdminCall;
  /** fetch on the session for what is not a JSON admin route (the playground's stream): CSRF header; signs out if the session ended */
  sessionFetch: (path: string, init: RequestInit) => Promise<Response>;
  signIn: (credentials: Credentials) => Promise<void>;
  signOut: () => Promise<void>;
  /** a new password; this tab carries on under the new session the gateway answers, every other session ends */
  changePassword: (change: PasswordChange) => Promise<void>;
  /** ends every session of the signed-in user, this one too */
  signOutEverywhere: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);
const SESSION_QUERY = ['session'];

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const store = useMemo(() => new CsrfTokenStore(sessionStorage), []);
  const sessionApi = useMemo(() => createSessionApi((input, init) => fetch(input, init)), []);
  const status = useQuery({
    queryKey: SESSION_QUERY,
    queryFn: async () => {
      const s = await sessionApi.current();
      if (s?.csrfToken) store.set(s.csrfToken);
      return s === null ? false : { user: s.user ?? null };
    },
    staleTime: Infinity,
    retry: false,
  });
  const ended = useCallback(() => {
    store.clear();
    queryClient.setQueryData(SESSION_QUERY, false);
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_QUERY[0] });
  }, [queryClient, store]);
  const api = useMemo(
    () => createAdminClient({ fetch: (input, init) => fetch(input, init), csrfToken: () => store.get(), onUnauthorized: ended }),
    [store, ended],
  );
  const sessionFetch = useCallback(
    async (path: string, init: RequestInit) => {
      const headers = new Headers(init.headers);
      const csrf = store.get();
      if ((init.method ?? 'GET') !== 'GET' && csrf) headers.set('x-csrf-token', csrf);
      const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
      // A 401 here may be the relay refusing a token (the playground), not the session ending: ask before signing out.
      if (res.status === 401)
        void sessionApi.current().then(
          (s) => s === null && ended(),
          () => undefined,
        );
      return res;
    },
    [store, ended, sessionApi],
  );
  const value = useMemo<Session>(
    () => ({
      signedIn: Boolean(status.data),
      user: status.data ? status.data.user : null,
      checking: status.isPending,
      api,
      sessionFetch,
      async signIn(credentials) {
        const started = await sessionApi.signIn(credentials);
        store.set(started.csrfToken);
        queryClient.setQueryData(SESSION_QUERY, { user: started.user ?? null });
      },
      async signOut() {
        await sessionApi.signOut(store.get()).catch(() => undefined);
        ended();
      },
      async changePassword(change) {
        try {
          const started = await sessionApi.changePassword(store.get(), change);
          store.set(started.csrfToken);
          queryClient.setQueryData(SESSION_QUERY, { user: started.user ?? null });
        } catch (e) {
          // a 401 is the session itself gone (ended elsewhere): back to the sign-in page, as any other call does
          if (e instanceof ApiError && e.status === 401) ended();
          throw e;
        }
      },
      async signOutEverywhere() {
        await sessionApi.signOutEverywhere(store.get());
        ended();
      },
    }),
    [status.data, status.isPending, api, sessionFetch, sessionApi, store, queryClient, ended],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
