/** What is kept of a console session, under the sha256 of its id (the id itself is never stored). */
export interface SessionRecord {
  csrfToken: string;
  /** the signed-in user (password sign-in); absent for a session made with the admin key */
  userId?: number;
  /** the user's sessionEpoch at sign-in; a later one (new password) ends this session */
  epoch?: number;
  createdAt: number;
  lastSeenAt: number;
}

/** Where sessions live: Redis in cluster mode (every gateway replica sees them), process memory in standalone. */
export interface SessionStore {
  /** Stores (or replaces) the record, forgotten after `ttlMs`. */
  put(idHash: string, record: SessionRecord, ttlMs: number): Promise<void>;
  get(idHash: string): Promise<SessionRecord | null>;
  delete(idHash: string): Promise<void>;
  close?(): Promise<void>;
}

export const SESSION_STORE = Symbol('SESSION_STORE');
