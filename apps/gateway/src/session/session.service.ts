import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { SESSION_STORE, type SessionRecord, type SessionStore } from './session.store';

/** A session ends 12 h after sign-in whatever happens (a forgotten tab does not stay an admin for ever)… */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** …and after 2 h without a request (an unattended console signs out). Constants: SPEC names no variable for them. */
export const SESSION_IDLE_MS = 2 * 60 * 60_000;
/** The idle clock is pushed back at most once a minute, so a busy console does not write the store on every request. */
export const SESSION_TOUCH_EVERY_MS = 60_000;

/** Injected clock (tests); Date.now otherwise. */
export const SESSION_CLOCK = Symbol('SESSION_CLOCK');

/** 256 random bits, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface LiveSession {
  csrfToken: string;
  /** the signed-in user; undefined for a session made with the admin key */
  userId?: number;
  epoch?: number;
  /** when the session ends if it stays idle (never later than its absolute end) */
  expiresAt: Date;
  /** when its sign-in happened (a fresh one may do what an old cookie may not: set a first password) */
  signedInAt: Date;
}

export interface NewSession extends LiveSession {
  /** the cookie value; only its hash is stored */
  id: string;
}

const hashOf = (id: string): string => createHash('sha256').update(id).digest('hex');

/** A store that cannot be asked (Redis away) is a 503 to retry, not a 401 that would send the console to sign-in. */
async function available<T>(op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch {
    throw new DomainError('service_unavailable', 503, 'Console sessions cannot be checked right now; retry shortly.', { retryAfterSeconds: 1 });
  }
}

/** Console sessions: made after the admin key or a user's password (and second factor) was checked, found from the cookie, ended by sign-out or expiry. */
@Injectable()
export class SessionService implements OnModuleDestroy {
  private readonly now: () => number;

  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Optional() @Inject(SESSION_CLOCK) now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** A new session: of the admin key, or of a user (a password sign-in) at its current session epoch. */
  async create(user?: { id: number; sessionEpoch: number }): Promise<NewSession> {
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    const owner = user === undefined ? {} : { userId: user.id, epoch: user.sessionEpoch };
    const record: SessionRecord = { csrfToken: randomBytes(32).toString('base64url'), ...owner, createdAt: now, lastSeenAt: now };
    await available(this.store.put(hashOf(id), record, this.ttl(record, now)));
    return { id, csrfToken: record.csrfToken, ...owner, expiresAt: new Date(this.endOf(record)), signedInAt: new Date(now) };
  }

  /** The live session of this cookie value, or null (unknown, signed out, idle or past its absolute end). */
  async resolve(id: string): Promise<LiveSession | null> {
    if (!SESSION_ID.test(id)) return null;
    const key = hashOf(id);
    const record = await available(this.store.get(key));
    const now = this.now();
    if (!record || now >= this.endOf(record)) return null;
    if (now - record.lastSeenAt >= SESSION_TOUCH_EVERY_MS) {
      record.lastSeenAt = now;
      await available(this.store.put(key, record, this.ttl(record, now)));
    }
    const owner = record.userId === undefined ? {} : { userId: record.userId, epoch: record.epoch ?? 0 };
    return { csrfToken: record.csrfToken, ...owner, expiresAt: new Date(this.endOf(record)), signedInAt: new Date(record.createdAt) };
  }

  /** Whether the session's sign-in happened less than `ms` ago (by this service's clock). */
  signedInWithin(s: LiveSession, ms: number): boolean {
    return this.now() - s.signedInAt.getTime() < ms;
  }

  async revoke(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await available(this.store.delete(hashOf(id)));
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.close?.();
  }

  private endOf(r: SessionRecord): number {
    return Math.min(r.createdAt + SESSION_ABSOLUTE_MS, r.lastSeenAt + SESSION_IDLE_MS);
  }

  private ttl(r: SessionRecord, now: number): number {
    return this.endOf(r) - now;
  }
}

/** Constant-time comparison of the `x-csrf-token` header with the session's token. */
export function csrfTokenMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || !presented) return false;
  return timingSafeEqual(createHash('sha256').update(presented).digest(), createHash('sha256').update(expected).digest());
}
