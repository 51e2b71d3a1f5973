import 'reflect-metadata';
import { Logger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ensureDataDir, loadConfig, type AppConfig, type ServiceName } from '@switchboard/config';
import { microserviceOptions } from '@switchboard/messaging';
import { JsonLogger, startTracing, stopTracing } from '@switchboard/observability';
import { ServiceRootModule } from './service-root.module';

export interface ServiceDefinition {
  name: ServiceName | 'standalone';
  features: Type[];
  database: boolean;
  /** fastify's own refusals before routing (a URL that does not decode…), rendered by the service (fastify's `frameworkErrors`) */
  frameworkErrors?: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => void;
  /** called after the app is created and before it listens (e.g. the gateway's body parser) */
  configure?: (app: NestFastifyApplication, config: AppConfig) => void | Promise<void>;
}

export interface RunningService {
  app: INestApplication;
  config: AppConfig;
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
  const app = await NestFactory.create<NestFastifyApplication>(ServiceRootModule.forRoot(config, { features: def.features, database: def.database }), adapter, {
    logger: new JsonLogger(def.name, config.LOG_LEVEL),
    bufferLogs: false,
    bodyParser: !def.configure,
  });
  app.connectMicroservice(microserviceOptions(config, def.name === 'standalone' ? 'gateway' : def.name), { inheritAppConfig: true });
  await def.configure?.(app, config);
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
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

/** For main.ts files: start, print, stop cleanly on SIGTERM/SIGINT, exit 1 on a start-up error. */
export function runMain(def: ServiceDefinition, onStarted?: (s: RunningService) => void): void {
  const logger = new Logger(def.name);
  startService(def).then(
    (s) => {
      logger.log(`${def.name} listening on ${s.url} (${s.config.mode} mode)`);
      onStarted?.(s);
      let closing = false;
      const stop = (signal: string) => {
        if (closing) return;
        closing = true;
        logger.log(`${signal}: draining and shutting down`);
        const force = setTimeout(() => process.exit(1), s.config.SHUTDOWN_TIMEOUT_MS + 5_000);
        force.unref();
        s.close().then(
          () => process.exit(0),
          (e: unknown) => {
            logger.error(`shutdown failed: ${(e as Error).message}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (err: unknown) => {
      // ConfigError lists every bad variable in its message.
      logger.error((err as Error).message);
      process.exit(1);
    },
  );
}
