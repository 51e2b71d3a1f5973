import type { SessionRecord, SessionStore } from './session.store';

/** Calls a method of the store that lives in another process (arguments and result as JSON). */
export type RemoteSessionCall = (method: string, args: unknown[]) => Promise<unknown>;

/**
 * A standalone relay worker's sessions are its primary's (one MemorySessionStore): a console session made through
 * one worker is valid on all of them, and a sign-out through any ends it everywhere.
 */
export class RemoteSessionStore implements SessionStore {
  constructor(private readonly remote: RemoteSessionCall) {}

  put(idHash: string, record: SessionRecord, ttlMs: number): Promise<void> {
    return this.remote('put', [idHash, record, ttlMs]) as Promise<void>;
  }

  get(idHash: string): Promise<SessionRecord | null> {
    return this.remote('get', [idHash]) as Promise<SessionRecord | null>;
  }

  delete(idHash: string): Promise<void> {
    return this.remote('delete', [idHash]) as Promise<void>;
  }
}

/** The primary's side of RemoteSessionStore. */
export function serveSessionStoreCall(store: SessionStore, method: string, args: unknown[]): Promise<unknown> {
  switch (method) {
    case 'put':
      return store.put(args[0] as string, args[1] as SessionRecord, args[2] as number);
    case 'get':
      return store.get(args[0] as string);
    case 'delete':
      return store.delete(args[0] as string);
    default:
      return Promise.reject(new Error(`SessionStore has no method ${method}`));
  }
}
