import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HTML_SECURITY_HEADERS, sendHtml } from './security-headers';
import { StaticFiles } from './static-files';

/** SPEC §8: the console's bookmarkable pages; each (and anything under it, e.g. /channels/12) is the app's index.html. */
export const CONSOLE_PAGES = [
  'dashboard',
  'channels',
  'tokens',
  'users',
  'groups',
  'orgs',
  'prices',
  'aliases',
  'plugins',
  'mcp-servers',
  'logs',
  'audit',
  'redemptions',
  'settings',
  'playground',
  // a signed-in user's own account (its tokens, logs, usage, 2FA)
  'account',
] as const;

/** A hashed file name changes with its content, so an asset may be cached for a year without revalidation. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Where the console's build lands: `dist/console` beside the compiled apps (`dist/apps/gateway/src/console/` is four
 * levels below `dist`); from the TypeScript sources (tests), the repository's `dist/console`.
 */
export function defaultConsoleDir(here = __dirname): string {
  const root = path.resolve(here, '../../../..');
  return path.basename(root) === 'dist' ? path.join(root, 'console') : path.join(root, 'dist', 'console');
}

const NOT_BUILT_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchboard</title></head><body><h1>The admin console is not built</h1>' +
  '<p>This gateway was built without the console (<code>dist/console/index.html</code> is missing). The API under <code>/api</code> and its reference at <a href="/docs">/docs</a> work without it.</p></body></html>';

/**
 * `GET /`, the pages and their sub-paths answer the console's index.html (`no-cache`: a new build is seen at once);
 * `/assets/*` its hashed files. Registered straight on fastify (like the hot relay routes): no guard, no body, and any
 * other path still falls through to the gateway's 404. A gateway built without the console answers 503, never crashes.
 */
export function registerConsoleRoutes(fastify: FastifyInstance, dir: string = defaultConsoleDir()): void {
  const files = new StaticFiles(dir);
  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    const index = await files.read('index.html');
    if (index) return sendHtml(reply, 200, index.body);
    if (/\btext\/html\b/.test(req.headers.accept ?? '')) return sendHtml(reply.header('retry-after', '3600'), 503, NOT_BUILT_HTML);
    return reply
      .status(503)
      .headers(HTML_SECURITY_HEADERS)
      .header('cache-control', 'no-cache')
      .send({ error: { code: 'console_not_built', message: 'The admin console is not built (dist/console/index.html is missing).' } });
  };
  fastify.get('/', page);
  for (const p of CONSOLE_PAGES) {
    fastify.get(`/${p}`, page);
    fastify.get(`/${p}/*`, page);
  }
  fastify.get('/assets/*', async (req, reply) => {
    const file = await files.read(`assets/${(req.params as { '*': string })['*']}`, req.headers['accept-encoding']);
    if (!file) return reply.callNotFound();
    if (file.encoding) reply.header('content-encoding', file.encoding);
    return reply
      .status(200)
      .header('vary', 'accept-encoding')
      .header('content-type', file.contentType)
      .header('cache-control', IMMUTABLE)
      .header('x-content-type-options', 'nosniff')
      .send(file.body);
  });
}
