import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy, type MicroserviceOptions } from '@nestjs/microservices';
import type { AppConfig } from '@switchboard/config';
import { Bus, BUS_CLIENT } from './bus';
import { InProcessClient } from './in-process/in-process.client';
import { InProcessServer } from './in-process/in-process.server';
import { IpcBusClient } from './ipc/ipc-bus.client';
import { IpcUsageQueue } from './ipc/ipc-usage.queue';
import { primaryLink, workerId } from './ipc/relay-worker';
import { natsConnectionOptions } from './nats-connection';
import { JetStreamUsageQueue } from './usage/jetstream-usage.queue';
import { SpoolUsageQueue } from './usage/spool-usage.queue';
import { USAGE_QUEUE, type UsageQueue } from './usage/usage-queue';

// Standalone: the five services share one spool (and one consumer registry) per data directory.
const spools = new Map<string, { queue: SpoolUsageQueue; refs: number }>();

export async function openUsageQueue(config: AppConfig): Promise<UsageQueue> {
  if (config.NATS_URL) {
    const server = natsConnectionOptions(config, config.service);
    // Only gateways publish: they serve while NATS is down and keep what waits on disk, one file per port.
    // Relay workers share their gateway's port: each keeps its own spool file; worker 1 the one a single process has,
    // so records waiting there when GATEWAY_WORKERS was raised are still sent.
    const worker = workerId();
    const name = `gateway-${config.PORT}${worker && worker > 1 ? `-w${worker}` : ''}`;
    if (config.service === 'gateway') return JetStreamUsageQueue.open(server, config.service, { spool: { dataDir: config.DATA_DIR, name } });
    return JetStreamUsageQueue.connect(server, config.service);
  }
  // A standalone relay worker: the spool and its consumers are the primary's.
  const link = primaryLink();
  if (link) return new IpcUsageQueue(link);
  let entry = spools.get(config.DATA_DIR);
  if (!entry) {
    entry = { queue: new SpoolUsageQueue(config.DATA_DIR), refs: 0 };
    spools.set(config.DATA_DIR, entry);
  }
  entry.refs++;
  const shared = entry;
  const dir = config.DATA_DIR;
  // Each holder closes its own reference; the spool closes with the last.
  return new Proxy(shared.queue, {
    get(target, prop, receiver) {
      if (prop === 'close') {
        return async () => {
          if (--shared.refs === 0) {
            spools.delete(dir);
            await target.close();
          }
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** How this process serves @MessagePattern/@EventPattern handlers. */
export function microserviceOptions(config: AppConfig, service: string): MicroserviceOptions {
  if (!config.NATS_URL) return { strategy: new InProcessServer() };
  return {
    transport: Transport.NATS,
    // Services share their requests across replicas (queue group); every gateway replica gets every event.
    options: { ...natsConnectionOptions(config, config.service), queue: service === 'gateway' ? undefined : service, name: service },
  };
}

function busClient(config: AppConfig): ClientProxy {
  if (!config.NATS_URL) {
    const link = primaryLink();
    return link ? new IpcBusClient(link) : new InProcessClient();
  }
  return ClientProxyFactory.create({
    transport: Transport.NATS,
    options: { ...natsConnectionOptions(config, config.service), name: `${config.service}-client`, maxReconnectAttempts: -1 },
  });
}

class UsageQueueCloser implements OnApplicationShutdown {
  constructor(
    @Inject(USAGE_QUEUE) private readonly queue: UsageQueue,
    @Inject(BUS_CLIENT) private readonly client: ClientProxy,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.queue.flush(5_000);
    await this.queue.close();
    await this.client.close();
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: BUS_CLIENT,
          // Connect at start (Nest's clients connect lazily) so readiness tells the truth from the first probe;
          // a NATS that is not up yet is retried by the client, not fatal.
          useFactory: async () => {
            const client = busClient(config);
            await client.connect().catch((e: unknown) => new Logger('Bus').warn(`NATS not reachable yet: ${(e as Error).message}`));
            return client;
          },
        },
        Bus,
        { provide: USAGE_QUEUE, useFactory: () => openUsageQueue(config) },
        UsageQueueCloser,
      ],
      exports: [Bus, BUS_CLIENT, USAGE_QUEUE],
    };
  }
}
