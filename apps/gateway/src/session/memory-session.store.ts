import type { SessionRecord, SessionStore } from './session.store';

/**
 * Standalone: one process, so memory is enough (a restart signs everyone out). Expired entries are dropped when read
 * and swept on each write, so the map holds only live sessions (each made with the admin key, so few).
 */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, { record: SessionRecord; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  put(idHash: string, record: SessionRecord, ttlMs: number): Promise<void> {
    const now = this.now();
    for (const [k, v] of this.entries) if (v.expiresAt <= now) this.entries.delete(k);
    this.entries.set(idHash, { record: { ...record }, expiresAt: now + ttlMs });
    return Promise.resolve();
  }

  get(idHash: string): Promise<SessionRecord | null> {
    const e = this.entries.get(idHash);
    if (!e) return Promise.resolve(null);
    if (e.expiresAt <= this.now()) {
      this.entries.delete(idHash);
      return Promise.resolve(null);
    }
    return Promise.resolve({ ...e.record });
  }

  delete(idHash: string): Promise<void> {
    this.entries.delete(idHash);
    return Promise.resolve();
  }

  /** Stored keys (tests check that no raw id is among them). */
  keys(): string[] {
    return [...this.entries.keys()];
  }
}
