import type { FastifyReply } from 'fastify';

/**
 * Headers of every HTML page the gateway serves (console and API reference). Scripts and everything else only from
 * the gateway itself; inline styles are allowed because the component kits both apps use set `style` attributes at
 * run time (inline scripts stay forbidden, which is what stops injected markup from running).
 */
export const HTML_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export function sendHtml(reply: FastifyReply, status: number, html: string | Buffer): FastifyReply {
  return reply.status(status).headers(HTML_SECURITY_HEADERS).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
}
