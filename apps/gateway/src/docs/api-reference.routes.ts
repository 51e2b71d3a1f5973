import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { StaticFiles } from '../console/static-files';

/** The files of swagger-ui-dist the page loads, served from node_modules (no CDN: gateways and browsers may be offline). */
const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

/** The page's own script: inline scripts are forbidden by its Content-Security-Policy, so it is a file too. */
const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#swagger-ui', deepLinking: true, withCredentials: true });
});
`;

export const API_REFERENCE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard API reference</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
`;

export function swaggerUiDir(): string | null {
  try {
    return path.dirname(require.resolve('swagger-ui-dist/package.json'));
  } catch {
    return null;
  }
}

/** `/docs/assets/*`: Swagger UI's files; anything else there is the gateway's ordinary 404. */
export function registerApiReferenceAssets(fastify: FastifyInstance, dir: string | null = swaggerUiDir()): void {
  const files = dir ? new StaticFiles(dir) : null;
  fastify.get('/docs/assets/*', async (req, reply) => {
    const name = (req.params as { '*': string })['*'];
    if (name === 'init.js') return reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(INIT_JS);
    const file = files && SWAGGER_FILES.has(name) ? await files.read(name) : null;
    if (!file) return reply.callNotFound();
    // Not content-hashed names: revalidated hourly, so an upgrade of the package shows within the hour.
    return reply
      .header('content-type', file.contentType)
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(file.body);
  });
}
