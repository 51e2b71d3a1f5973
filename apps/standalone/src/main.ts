import { AuthModule } from '@switchboard/auth';
import { BillingModule } from '@switchboard/billing';
import { GatewayModule, configureGateway, renderFrameworkError } from '@switchboard/gateway';
import { LogWriterModule } from '@switchboard/log-writer';
import { RouterModule } from '@switchboard/router';
import { runMain } from '@switchboard/runtime';
import { serveRelayWorkers } from './relay-host';

const services = [AuthModule, RouterModule, BillingModule, LogWriterModule];

/**
 * Standalone: the five services in one process on one port, through the in-process transport, embedded
 * Postgres (PGlite) under DATA_DIR and in-memory counters, unless NATS_URL / DATABASE_URL / REDIS_URL say otherwise.
 * With GATEWAY_WORKERS > 1 the gateway runs in that many relay workers (libs/runtime/src/relay-workers.ts).
 */
runMain(
  {
    name: 'standalone',
    features: [...services, GatewayModule],
    database: true,
    // GATEWAY_WORKERS > 1: the edge in that many relay workers on the port; services and database once, in the primary
    relay: { features: [GatewayModule], primaryFeatures: services, serveWorker: serveRelayWorkers },
    configure: configureGateway,
    frameworkErrors: renderFrameworkError,
  },
  (s) => {
    const lines = [`Switchboard is up at ${s.url}`, `  OpenAI base URL:    ${s.url}/v1`, `  Anthropic base URL: ${s.url}`, `  Gemini base URL:    ${s.url}`];
    if (s.config.adminKeyGenerated) lines.push(`  Admin key (printed once, saved in ${s.config.DATA_DIR}/admin.key): ${s.config.ADMIN_KEY}`);
    else lines.push(`  Admin key: in ${s.config.DATA_DIR}/admin.key (or ADMIN_KEY)`);
    process.stdout.write(lines.join('\n') + '\n');
  },
);
