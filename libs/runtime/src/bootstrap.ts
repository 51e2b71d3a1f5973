import 'reflect-metadata';
import { Logger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ensureDataDir, loadConfig, type AppConfig, type ServiceName } from '@switchboard/config';
import { microserviceOptions, workerId, type IpcLink } from '@switchboard/messaging';
import { JsonLogger, startTracing, stopTracing, type ReadinessCheck } from '@switchboard/observability';
import { ServiceRootModule } from './service-root.module';

export interface ServiceDefinition {
  name: ServiceName | 'standalone';
  features: Type[];
  database: boolean;
  /** fastify's own refusals before routing (a URL that does not decode…), rendered by the service (fastify's `frameworkErrors`) */
  frameworkErrors?: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => void;
  /** called after the app is created and before it listens (e.g. the gateway's body parser) */
  configure?: (app: NestFastifyApplication, config: AppConfig) => void | Promise<void>;
  /** false: start the modules and message handlers but open no HTTP port (a primary whose relay workers hold it) */
  listen?: boolean;
  /** readiness checks beyond the process's own (a standalone relay worker asks its primary) */
  readiness?: ReadinessCheck[];
  /**
   * GATEWAY_WORKERS > 1 runs `features` in that many relay workers sharing the port (node:cluster, runMain); the rest
   * of the process (`primaryFeatures`: standalone's services and database, none for a cluster gateway) stays single in
   * the primary, which serves it to the workers over IPC (`serveWorker`: e.g. its in-memory stores).
   */
  relay?: {
    features: Type[];
    primaryFeatures: Type[];
    serveWorker?: (app: INestApplication, config: AppConfig) => (link: IpcLink) => () => void;
  };
}

export interface RunningService {
  app: INestApplication;
  config: AppConfig;
  /** empty when the process does not listen (`listen: false`) */
  url: string;
  close(): Promise<void>;
}

/**
 * Timeouts of the HTTP server, so that a client that sends its headers or its body slowly cannot hold a socket
 * forever. Node checks them every `connectionsCheckingInterval`, only while a request is still arriving: a response
 * that streams for minutes is never cut. No socket idle timeout (`connectionTimeout` 0): a request waiting for a slow
 * upstream's first byte (up to UPSTREAM_FIRST_BYTE_TIMEOUT_MS) is silent on its socket and must not be cut either.
 */
export function httpServerOptions(config: Pick<AppConfig, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'>) {
  // fastify sets requestTimeout itself (0 = none by default) after creating the server; headersTimeout and the check
  // interval go to Node's createServer. Node wants requestTimeout >= headersTimeout.
  const requestTimeout = Math.max(config.HTTP_REQUEST_TIMEOUT_MS, config.HTTP_HEADERS_TIMEOUT_MS);
  return {
    connectionTimeout: 0,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout,
    http: {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout,
      connectionsCheckingInterval: Math.min(1_000, config.HTTP_HEADERS_TIMEOUT_MS),
    },
  };
}

/** Starts one process: its HTTP port (public API or health/metrics) and its message handlers. */
export async function startService(def: ServiceDefinition, env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(def.name, env);
  // Before anything writes under it (embedded database, spool): created for this user only.
  ensureDataDir(config.DATA_DIR);
  if (config.adminKeyFileExposed) new Logger(def.name).warn(config.adminKeyFileExposed);
  startTracing(def.name, env);
  const adapter = new FastifyAdapter({
    ...httpServerOptions(config),
    bodyLimit: config.MAX_BODY_BYTES,
    // X-Forwarded-For is believed only from the listed proxies (fastify walks the chain from the right).
    trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
    return503OnClosing: false,
    ...(def.frameworkErrors ? { frameworkErrors: def.frameworkErrors } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ServiceRootModule.forRoot(config, { features: def.features, database: def.database, readiness: def.readiness }),
    adapter,
    {
      logger: new JsonLogger(def.name, config.LOG_LEVEL, { fields: workerId() ? { worker: workerId() } : undefined }),
      bufferLogs: false,
      bodyParser: !def.configure,
    },
  );
  app.connectMicroservice(microserviceOptions(config, def.name === 'standalone' ? 'gateway' : def.name), { inheritAppConfig: true });
  await def.configure?.(app, config);
  await app.startAllMicroservices();
  let url = '';
  if (def.listen === false) await app.init();
  else {
    await app.listen(config.PORT, config.HOST);
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  }
  return {
    app,
    config,
    url,
    close: async () => {
      await app.close();
      await stopTracing();
    },
  };
}
