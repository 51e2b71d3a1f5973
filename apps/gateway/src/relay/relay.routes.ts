import { Logger } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { inServerSpan, tracingActive } from '@switchboard/observability';
import type { WireProtocol } from '@switchboard/protocols';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { readJsonBody, type BodyRules } from '../edge/json-body.parser';
import { inboundCallOf, type RawJsonBody } from './inbound';
import { RelayService } from './relay.service';
import { newRequestId } from './request-id';

/** The relay endpoints that carry the traffic; the rest (count_tokens, Gemini paths, model lists) stay in RelayController. */
export const HOT_RELAY_ROUTES: readonly (readonly [url: string, protocol: WireProtocol])[] = [
  ['/v1/chat/completions', 'openai-chat'],
  ['/v1/responses', 'openai-responses'],
  ['/v1/embeddings', 'openai-embeddings'],
  ['/v1/messages', 'anthropic'],
];

const logger = new Logger('RelayRoutes');

/**
 * The hot relay routes, served straight from fastify instead of through a Nest controller: Nest's per-request
 * pipeline (guards, interceptors, pipes and the promise hops between them) and fastify's body-parsing stage (an
 * AsyncResource per request, whose `bind` costs two `util.deprecate` wrappers on Node 20) were ~5 % of the cluster
 * gateway's CPU. What the request gets is unchanged:
 * - the instance's hooks (Nest's, CORS) still run: these routes answer from their own `onRequest` hook, the last one;
 * - the key is identified from the headers before the body is read (installKeyBeforeBody, an instance hook);
 * - the body is read as the fastify parser read it (`readJsonBody`: same limit, same errors, same bytes);
 * - errors that are not the relay's own (413, a broken body) go to the instance's error handler, i.e. EdgeErrorFilter;
 * - request ids, drain and metrics live in RelayService as before; the SERVER span of TracingInterceptor is opened
 *   here when tracing is on.
 */
export function registerRelayRoutes(fastify: FastifyInstance, relay: RelayService, rules: BodyRules): void {
  const serve = (protocol: WireProtocol, req: FastifyRequest, reply: FastifyReply, body: RawJsonBody | undefined): Promise<void> => {
    const call = inboundCallOf(protocol, body);
    if (call instanceof DomainError) {
      relay.sendError(reply, protocol, newRequestId(), call);
      return Promise.resolve();
    }
    return relay.relay(call, req, reply);
  };
  for (const [url, protocol] of HOT_RELAY_ROUTES) {
    const onRequest: onRequestHookHandler = (req, reply, done) => {
      readJsonBody(req, rules, (err, body) => {
        if (err) {
          // The client may still be sending: the error renderer discards the rest after the answer (releaseUnreadBody).
          done(err);
          return;
        }
        // Answered here: `done` is not called, so the rest of the lifecycle (and the handler below) never runs.
        const run = tracingActive() ? inServerSpan('POST', url, req.url, () => serve(protocol, req, reply, body)) : serve(protocol, req, reply, body);
        run.catch((e: unknown) => {
          // What a Nest route's rejection got: the error handler (EdgeErrorFilter, which logs 5xx) when nothing was sent.
          if (!reply.sent && !reply.raw.headersSent) void reply.send(e);
          else logger.error((e as Error)?.stack ?? String(e));
        });
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
