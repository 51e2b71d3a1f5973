jest.mock('@switchboard/protocols', () => ({ ...jest.requireActual('@switchboard/protocols'), loadTokenizer: jest.fn() }));

import { Logger } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { loadTokenizer } from '@switchboard/protocols';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdmissionService } from '../admission/admission.service';
import type { KeyAuthenticator } from '../auth/key-authenticator';
import type { DrainService } from '../edge/drain.service';
import type { RoutingTableService } from '../state/routing-table.service';
import type { AttemptContext } from './attempt-context';
import type { FailoverLoop } from './failover-loop';
import { channel, FakeReply, inboundCall, token } from './relay.fixture';
import { RelayService } from './relay.service';
import type { RoutePlanner } from './route-planner';
import type { UsageRecorder } from './usage-recorder';

describe('RelayService start-up', () => {
  it('loads the tokenizer before the gateway serves (not on the event loop of the first request that counts)', () => {
    const relay = Object.create(RelayService.prototype) as RelayService;
    relay.onModuleInit();
    expect(loadTokenizer).toHaveBeenCalledTimes(1);
  });
});

/** The composition over fakes of its steps: what each step gets, and what the client gets when one throws. */
function setup(opts: { draining?: boolean; identify?: () => Promise<unknown>; run?: (ctx: AttemptContext) => Promise<void> } = {}) {
  const route = { model: 'm', candidates: [channel()], fallbacks: [], alias: null };
  const price = { model: 'm' };
  const lease = { reservedMicros: 123 };
  const seen: AttemptContext[] = [];
  const left = jest.fn();
  const auth = { identify: jest.fn(opts.identify ?? (() => Promise.resolve(token()))), admit: jest.fn() };
  const table = { ensureLoaded: () => Promise.resolve(), pluginsFor: () => [] };
  const planner = { plan: jest.fn(() => route), price: jest.fn(() => Promise.resolve(price)) };
  const admission = { admit: jest.fn(() => Promise.resolve({ lease, headers: { 'x-ratelimit-limit-requests': '10' } })) };
  const failover = {
    run: jest.fn((ctx: AttemptContext) => {
      seen.push(ctx);
      return opts.run ? opts.run(ctx) : Promise.resolve();
    }),
  };
  const recorder = { finish: jest.fn() };
  const drain = { isDraining: opts.draining ?? false, enter: jest.fn(() => left) };
  const relay = new RelayService(
    auth as unknown as KeyAuthenticator,
    table as unknown as RoutingTableService,
    planner as unknown as RoutePlanner,
    admission as unknown as AdmissionService,
    failover as unknown as FailoverLoop,
    recorder as unknown as UsageRecorder,
    drain as unknown as DrainService,
  );
  const reply = new FakeReply();
  const send = () => relay.relay(inboundCall(), { headers: {}, ip: '203.0.113.9' } as unknown as FastifyRequest, reply as unknown as FastifyReply);
  return { send, reply, seen, auth, planner, admission, failover, recorder, left, route, price, lease };
}

describe('RelayService.relay', () => {
  it('authenticates, plans, prices, admits, then hands one context to the failover loop; records and leaves the drain', async () => {
    const s = setup();
    await s.send();
    expect(s.reply.sentHeaders).toMatchObject({ 'x-request-id': expect.any(String) as string, 'x-ratelimit-limit-requests': '10' });
    expect(s.auth.admit).toHaveBeenCalledWith(expect.objectContaining({ tokenId: 7 }), '203.0.113.9', { model: 'm' });
    expect(s.planner.plan).toHaveBeenCalledWith('m', 'default', expect.objectContaining({ endpoint: 'chat.completions', operation: 'generate' }));
    const [ctx] = s.seen;
    expect(ctx).toMatchObject({ route: s.route, price: s.price, admitted: { lease: s.lease } });
    expect(ctx.draft).toMatchObject({ tokenId: 7, userId: 3, group: 'default', reservedMicros: 123, requestId: ctx.requestId });
    expect(s.reply.sentHeaders['x-request-id']).toBe(ctx.requestId);
    expect(s.recorder.finish).toHaveBeenCalledWith(ctx);
    expect(s.left).toHaveBeenCalledTimes(1);
  });

  it('a refusal is answered in the inbound shape and recorded with its status; nothing is attempted', async () => {
    const s = setup({ identify: () => Promise.reject(new DomainError('invalid_api_key', 401, 'Incorrect API key provided.')) });
    await s.send();
    expect(s.reply.statusCode).toBe(401);
    expect(JSON.parse(s.reply.payload as string)).toMatchObject({ error: { message: 'Incorrect API key provided.', code: 'invalid_api_key' } });
    expect(s.failover.run).not.toHaveBeenCalled();
    const ctx = s.recorder.finish.mock.calls[0] as unknown as [AttemptContext];
    expect(ctx[0].draft).toMatchObject({ status: 401, error: 'Incorrect API key provided.', tokenId: null });
  });

  it('a draining gateway refuses with 503 shutting_down', async () => {
    const s = setup({ draining: true });
    await s.send();
    expect(s.reply.statusCode).toBe(503);
    expect(s.auth.identify).not.toHaveBeenCalled();
  });

  it('an unexpected error: logged, answered 500 "internal error"; an answer already sent is left alone', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const s = setup({ run: () => Promise.reject(new TypeError('boom')) });
    await s.send();
    expect(s.reply.statusCode).toBe(500);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('TypeError: boom'));
    const streamed = setup({
      run: (ctx) => {
        (ctx.reply.raw as unknown as FakeReply['raw']).headersSent = true;
        return Promise.reject(new DomainError('client_closed', 499, 'client closed the connection'));
      },
    });
    await streamed.send();
    expect(streamed.reply.sent).toBe(false);
    expect(streamed.seen[0].draft).toMatchObject({ status: 499, error: 'client closed the connection' });
    logged.mockRestore();
  });

  it('the client-facing error of the routes and controller renders in their protocol with the request id', () => {
    const reply = new FakeReply();
    (Object.create(RelayService.prototype) as RelayService).sendError(
      reply as unknown as FastifyReply,
      'anthropic',
      'rid',
      new DomainError('invalid_request', 400, 'bad', { param: 'model' }),
    );
    expect(reply.statusCode).toBe(400);
    expect(reply.sentHeaders).toMatchObject({ 'x-request-id': 'rid', 'content-type': 'application/json' });
    expect(JSON.parse(reply.payload as string)).toMatchObject({ type: 'error', error: { message: 'bad' } });
  });
});
