import { Logger } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { inServerSpan, tracingActive } from '@switchboard/observability';
import { bodyRoutes, type ProtocolRoute } from '@switchboard/protocols';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { KeyAuthenticator } from '../auth/key-authenticator';
import { readJsonBody, type BodyRules } from '../edge/json-body.parser';
import { readMultipartBody, type UploadRules } from '../edge/multipart-body.reader';
import { inboundCallOf, uploadCallOf, type InboundCall, type RawJsonBody } from './inbound';
import { RelayService } from './relay.service';
import { newRequestId } from './request-id';

/**
 * The relay endpoints that carry the traffic: every body-model route of the protocol registry (JSON bodies and
 * multipart uploads). The rest (count_tokens, Gemini paths, model lists) stay in RelayController.
 */
export const HOT_RELAY_ROUTES: readonly ProtocolRoute[] = bodyRoutes();

const logger = new Logger('RelayRoutes');

/**
 * The hot relay routes, served straight from fastify instead of through a Nest controller: Nest's per-request
 * pipeline (guards, interceptors, pipes and the promise hops between them) and fastify's body-parsing stage (an
 * AsyncResource per request, whose `bind` costs two `util.deprecate` wrappers on Node 20) were ~5 % of the cluster
 * gateway's CPU. What the request gets is unchanged:
 * - the instance's hooks (Nest's, CORS) still run: these routes answer from their own `onRequest` hook, the last one;
 * - the key is identified from the headers before the body is read (as installKeyBeforeBody does for the others);
 * - the body is read as the fastify parser read it (`readJsonBody`: same limit, same errors, same bytes);
 * - errors that are not the relay's own (401 before the body, 413, a broken body) go to the instance's error handler,
 *   i.e. EdgeErrorFilter;
 * - request ids, drain and metrics live in RelayService as before; the SERVER span of TracingInterceptor is opened
 *   here when tracing is on.
 */
export const HOT_RELAY_URLS: ReadonlySet<string> = new Set(HOT_RELAY_ROUTES.map((r) => r.path));

const readBody = (req: FastifyRequest, rules: BodyRules): Promise<RawJsonBody | undefined> =>
  new Promise((resolve, reject) => readJsonBody(req, rules, (err, body) => (err ? reject(err) : resolve(body))));

export function registerRelayRoutes(fastify: FastifyInstance, relay: RelayService, auth: KeyAuthenticator, rules: BodyRules, uploads: UploadRules): void {
  const serve = (route: ProtocolRoute, req: FastifyRequest, reply: FastifyReply, call: InboundCall | DomainError): Promise<void> => {
    if (call instanceof DomainError) {
      relay.sendError(reply, route.protocol, newRequestId(), call);
      return Promise.resolve();
    }
    return relay.relay(call, req, reply);
  };
  const json = (route: ProtocolRoute, req: FastifyRequest, reply: FastifyReply) =>
    readBody(req, rules).then((body) => serve(route, req, reply, inboundCallOf(route.protocol, body, route)));
  // An upload's files live until every attempt is over (failover replays them), then their spool is removed.
  const upload = (route: ProtocolRoute, req: FastifyRequest, reply: FastifyReply) =>
    readMultipartBody(req, uploads).then((form) => serve(route, req, reply, uploadCallOf(route.protocol, route, form)).finally(() => form.dispose()));
  for (const route of HOT_RELAY_ROUTES) {
    const { path: url } = route;
    const read = route.body === 'multipart' ? upload : json;
    // Answered here: `done` is never called, so the rest of the lifecycle (and the handler below) never runs. The key
    // is identified before the body is read (a keyless upload gets its 401 unread), inside the SERVER span so that a
    // verification over the bus belongs to the request's trace.
    const onRequest: onRequestHookHandler = (req, reply, _done) => {
      const respond = () => auth.identify(req).then(() => read(route, req, reply));
      const run = tracingActive() ? inServerSpan('POST', url, req.url, respond) : respond();
      run.catch((e: unknown) => {
        // The error handler (EdgeErrorFilter: inbound shape, logs 5xx, discards a body still arriving) when nothing
        // was sent, as a Nest route's rejection gets it.
        if (!reply.sent && !reply.raw.headersSent) void reply.send(e);
        else logger.error((e as Error)?.stack ?? String(e));
      });
    };
    fastify.route({
      method: 'POST',
      url,
      onRequest,
      // fastify requires a handler; never reached, the hook above answers every request.
      handler: (req, reply) => serve(route, req, reply, inboundCallOf(route.protocol, req.body as RawJsonBody | undefined, route)),
    });
  }
}
