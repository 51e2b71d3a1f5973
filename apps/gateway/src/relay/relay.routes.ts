import { Logger } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { inServerSpan, tracingActive } from '@switchboard/observability';
import { bodyRoutes, type WireProtocol } from '@switchboard/protocols';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { KeyAuthenticator } from '../auth/key-authenticator';
import { readJsonBody, type BodyRules } from '../edge/json-body.parser';
import { inboundCallOf, type RawJsonBody } from './inbound';
import { RelayService } from './relay.service';
import { newRequestId } from './request-id';

/**
 * The relay endpoints that carry the traffic: every body-model route of the protocol registry. The rest
 * (count_tokens, Gemini paths, model lists) stay in RelayController.
 */
export const HOT_RELAY_ROUTES: readonly (readonly [url: string, protocol: WireProtocol])[] = bodyRoutes();

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
export const HOT_RELAY_URLS: ReadonlySet<string> = new Set(HOT_RELAY_ROUTES.map(([url]) => url));

const readBody = (req: FastifyRequest, rules: BodyRules): Promise<RawJsonBody | undefined> =>
  new Promise((resolve, reject) => readJsonBody(req, rules, (err, body) => (err ? reject(err) : resolve(body))));

export function registerRelayRoutes(fastify: FastifyInstance, relay: RelayService, auth: KeyAuthenticator, rules: BodyRules): void {
  const serve = (protocol: WireProtocol, req: FastifyRequest, reply: FastifyReply, body: RawJsonBody | undefined): Promise<void> => {
    const call = inboundCallOf(protocol, body);
    if (call instanceof DomainError) {
      relay.sendError(reply, protocol, newRequestId(), call);
      return Promise.resolve();
    }
    return relay.relay(call, req, reply);
  };
  for (const [url, protocol] of HOT_RELAY_ROUTES) {
    // Answered here: `done` is never called, so the rest of the lifecycle (and the handler below) never runs. The key
    // is identified before the body is read (a keyless upload gets its 401 unread), inside the SERVER span so that a
    // verification over the bus belongs to the request's trace.
    const onRequest: onRequestHookHandler = (req, reply, _done) => {
      const respond = () =>
        auth
          .identify(req)
          .then(() => readBody(req, rules))
          .then((body) => serve(protocol, req, reply, body));
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
      handler: (req, reply) => serve(protocol, req, reply, req.body as RawJsonBody | undefined),
    });
  }
}
