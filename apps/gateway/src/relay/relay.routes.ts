import { Logger } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { inServerSpan, tracingActive } from '@switchboard/observability';
import { bodyRoutes, PROTOCOL_DESCRIPTORS, protocolDescriptor, type ProtocolRoute, type WireProtocol } from '@switchboard/protocols';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { KeyAuthenticator } from '../auth/key-authenticator';
import { readJsonBody, type BodyRules } from '../edge/json-body.parser';
import { readMultipartBody, type UploadRules } from '../edge/multipart-body.reader';
import { inboundCallOf, uploadCallOf, type InboundCall, type RawJsonBody } from './inbound';
import { RelayService } from './relay.service';
import { RelayErrors } from './relay.errors';
import { newRequestId } from './request-id';
import type { TokenCountService } from './token-count.service';

/**
 * The relay endpoints that carry the traffic: every body-model route of the protocol registry (JSON bodies and
 * multipart uploads), the path-model routes (Gemini's) and the token counts answered at the edge, below. The model
 * lists are in ModelsController.
 */
export const HOT_RELAY_ROUTES: readonly ProtocolRoute[] = bodyRoutes();

/** The path-model routes (Gemini's `{prefix}{model}:{action}`), one per prefix of each path-model protocol. */
const PATH_MODEL_ROUTES: readonly { url: string; protocol: WireProtocol }[] = PROTOCOL_DESCRIPTORS.flatMap((d) =>
  d.pathRoutes.map((prefix) => ({ url: `${prefix}*`, protocol: d.name })),
);

/** Token counts answered at the edge under a route of their own (Anthropic's count_tokens). */
const COUNT_ROUTES: readonly { url: string; protocol: WireProtocol }[] = PROTOCOL_DESCRIPTORS.flatMap((d) =>
  d.countTokens?.route ? [{ url: d.countTokens.route, protocol: d.name }] : [],
);

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
export const HOT_RELAY_URLS: ReadonlySet<string> = new Set([
  ...HOT_RELAY_ROUTES.map((r) => r.path),
  ...PATH_MODEL_ROUTES.map((r) => r.url),
  ...COUNT_ROUTES.map((r) => r.url),
]);

const readBody = (req: FastifyRequest, rules: BodyRules): Promise<RawJsonBody | undefined> =>
  new Promise((resolve, reject) => readJsonBody(req, rules, (err, body) => (err ? reject(err) : resolve(body))));

export function registerRelayRoutes(
  fastify: FastifyInstance,
  relay: RelayService,
  auth: KeyAuthenticator,
  counter: TokenCountService,
  rules: BodyRules,
  uploads: UploadRules,
): void {
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
  // Answered from the route's own onRequest hook: `done` is never called, so the rest of the lifecycle (and the route's
  // handler) never runs. The key is identified before the body is read (a keyless upload gets its 401 unread), inside
  // the SERVER span so that a verification over the bus belongs to the request's trace.
  const answeredHere = (url: string, read: (req: FastifyRequest, reply: FastifyReply) => Promise<void>): onRequestHookHandler => {
    return (req, reply, _done) => {
      const respond = () => auth.identify(req).then(() => read(req, reply));
      const run = tracingActive() ? inServerSpan('POST', url, req.url, respond) : respond();
      run.catch((e: unknown) => {
        // The error handler (EdgeErrorFilter: inbound shape, logs 5xx, discards a body still arriving) when nothing
        // was sent, as a Nest route's rejection gets it.
        if (!reply.sent && !reply.raw.headersSent) void reply.send(e);
        else logger.error((e as Error)?.stack ?? String(e));
      });
    };
  };
  for (const route of HOT_RELAY_ROUTES) {
    const read = route.body === 'multipart' ? upload : json;
    fastify.route({
      method: 'POST',
      url: route.path,
      onRequest: answeredHere(route.path, (req, reply) => read(route, req, reply)),
      // fastify requires a handler; never reached, the hook above answers every request.
      handler: (req, reply) => serve(route, req, reply, inboundCallOf(route.protocol, req.body as RawJsonBody | undefined, route)),
    });
  }
  for (const { url, protocol } of COUNT_ROUTES) {
    fastify.route({
      method: 'POST',
      url,
      onRequest: answeredHere(url, async (req, reply) => counter.count(protocol, req, reply, await readBody(req, rules))),
      handler: () => undefined, // never reached: the hook answers
    });
  }
  // A path-model call (`{model}:{action}`): the protocol's descriptor says what each action does.
  const pathModel = async (protocol: WireProtocol, req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const body = await readBody(req, rules);
    const rest = (req.params as Record<string, string | undefined>)['*'] ?? '';
    const d = protocolDescriptor(protocol);
    const target = d.parsePathTarget?.(rest) ?? null;
    const does = target && Object.hasOwn(d.actions, target.action) ? d.actions[target.action] : undefined;
    if (!target || !does) return relay.sendError(reply, protocol, newRequestId(), RelayErrors.unknownMethod(rest));
    if (does.kind === 'countTokens') return counter.count(protocol, req, reply, body, target.model);
    const call = inboundCallOf(protocol, body, { ...target, does });
    if (call instanceof DomainError) return relay.sendError(reply, protocol, newRequestId(), call);
    return relay.relay(call, req, reply);
  };
  for (const { url, protocol } of PATH_MODEL_ROUTES) {
    fastify.route({
      method: 'POST',
      url,
      onRequest: answeredHere(url, (req, reply) => pathModel(protocol, req, reply)),
      handler: () => undefined, // never reached: the hook answers
    });
  }
}
