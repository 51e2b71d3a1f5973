import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'sb_session';

/** The `sb_session` value of the Cookie header, or undefined. */
export function sessionIdOf(req: Pick<FastifyRequest, 'headers'>): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * HttpOnly (scripts never see it), SameSite=Lax (other sites' forms and fetches do not carry it; Strict would drop it
 * on the redirect back from an identity provider), Secure when the request came over https (as the gateway sees it:
 * x-forwarded-proto only from TRUSTED_PROXIES).
 */
export function sessionCookie(id: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${Math.floor(maxAgeSeconds)}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
