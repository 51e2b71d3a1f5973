import Fastify, { type FastifyInstance } from 'fastify';
import { registerApiReferenceAssets, swaggerUiDir } from './api-reference.routes';

describe('the API reference assets', () => {
  let f: FastifyInstance;
  beforeAll(async () => {
    f = Fastify();
    f.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: { code: 'not_found' } }));
    registerApiReferenceAssets(f);
    await f.ready();
  });
  afterAll(() => f.close());

  it('serves Swagger UI from node_modules (no CDN) and the page’s own init script', async () => {
    expect(swaggerUiDir()).toEqual(expect.stringContaining('swagger-ui-dist'));
    const bundle = await f.inject({ url: '/docs/assets/swagger-ui-bundle.js' });
    expect([bundle.statusCode, bundle.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(bundle.body).toContain('SwaggerUIBundle');
    expect((await f.inject({ url: '/docs/assets/swagger-ui.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
    const init = await f.inject({ url: '/docs/assets/init.js' });
    expect(init.body).toContain("url: '/docs/openapi.json'");
  });

  it('serves nothing else from the package', async () => {
    for (const url of ['/docs/assets/package.json', '/docs/assets/index.html', '/docs/assets/../package.json', '/docs/assets/']) {
      expect([url, (await f.inject({ url })).statusCode]).toEqual([url, 404]);
    }
  });
});
