import type { INestApplication } from '@nestjs/common';
import type { UsageRecord } from '@switchboard/contracts';
import type { AppConfig } from '@switchboard/config';
import { MemoryAnswerCache, MemorySessionStore, serveAnswerCacheCall, serveSessionStoreCall } from '@switchboard/gateway';
import { banPolicyFrom, createHealthStore, serveHealthStoreCall } from '@switchboard/health';
import { createLimitStore, serveLimitStoreCall } from '@switchboard/limits';
import { IpcBusHost, RelayTargets, USAGE_QUEUE, USAGE_TARGET, type IpcLink, type UsageQueue } from '@switchboard/messaging';

/**
 * Standalone with GATEWAY_WORKERS > 1: what the primary (services, embedded database) serves its relay workers. The
 * counters, bans, sessions and cached answers are the same in-memory stores billing's reconciler and the router's probes use here, so
 * N workers count against one store, one operation at a time, exactly as one process does; usage records go into the
 * primary's spool like its own; the bus reaches the services here and carries events to every worker.
 */
export function serveRelayWorkers(app: INestApplication, config: AppConfig): (link: IpcLink) => () => void {
  const limits = createLimitStore(undefined);
  const health = createHealthStore(undefined, banPolicyFrom(config));
  const sessions = new MemorySessionStore();
  const answers = new MemoryAnswerCache();
  const usage = app.get<UsageQueue>(USAGE_QUEUE);
  const bus = new IpcBusHost();
  return (link) => {
    link
      .serve(RelayTargets.limits, (method, args) => serveLimitStoreCall(limits, method, args))
      .serve(RelayTargets.health, (method, args) => serveHealthStoreCall(health, method, args))
      .serve(RelayTargets.sessions, (method, args) => serveSessionStoreCall(sessions, method, args))
      .serve(RelayTargets.answers, (method, args) => serveAnswerCacheCall(answers, method, args))
      .serve(USAGE_TARGET, (method, [records]) => {
        if (method !== 'publish') throw new Error(`usage: no method ${method}`);
        // publish() writes each record to the spool before it returns: once answered, the record is durable.
        for (const record of records as UsageRecord[]) usage.publish(record);
      });
    return bus.attach(link);
  };
}
