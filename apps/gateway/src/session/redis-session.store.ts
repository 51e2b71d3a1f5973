import { Redis, type RedisOptions } from 'ioredis';
import { REDIS_OUTAGE_OPTIONS, failFastOnceConnected } from '@switchboard/limits';
import type { SessionRecord, SessionStore } from './session.store';

/** The one place session keys are spelled: `<prefix>:session:<sha256 of the id>` (a string holding JSON, with a TTL). */
export const sessionKey = (idHash: string, prefix = 'sb'): string => `${prefix}:session:${idHash}`;

/** Commands the store uses; ioredis' Redis provides them. */
export interface SessionRedisClient {
  set(key: string, value: string, px: 'PX', ttlMs: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<unknown>;
  quit(): Promise<unknown>;
}

/** Cluster mode: sessions shared by every gateway replica through the Redis they already share for limits. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly client: SessionRedisClient,
    private readonly ownsClient = false,
  ) {}

  static fromUrl(url: string, redis: RedisOptions = {}): RedisSessionStore {
    return new RedisSessionStore(failFastOnceConnected(new Redis(url, { ...REDIS_OUTAGE_OPTIONS, ...redis })), true);
  }

  async put(idHash: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await this.client.set(sessionKey(idHash), JSON.stringify(record), 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async get(idHash: string): Promise<SessionRecord | null> {
    const raw = await this.client.get(sessionKey(idHash));
    if (raw === null) return null;
    try {
      const r = JSON.parse(raw) as Partial<SessionRecord>;
      if (typeof r.csrfToken !== 'string' || typeof r.createdAt !== 'number' || typeof r.lastSeenAt !== 'number') return null;
      if ((r.userId !== undefined && !Number.isInteger(r.userId)) || (r.epoch !== undefined && !Number.isInteger(r.epoch))) return null;
      const owner = r.userId === undefined ? {} : { userId: r.userId, ...(r.epoch === undefined ? {} : { epoch: r.epoch }) };
      return { csrfToken: r.csrfToken, ...owner, createdAt: r.createdAt, lastSeenAt: r.lastSeenAt };
    } catch {
      return null;
    }
  }

  async delete(idHash: string): Promise<void> {
    await this.client.del(sessionKey(idHash));
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit().catch(() => undefined);
  }
}
