import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { ConfigModule, type AppConfig } from '@switchboard/config';
import { DATABASE, DbModule, type Database } from '@switchboard/db';
import { BUS_CLIENT, MessagingModule } from '@switchboard/messaging';
import { APP_INTERCEPTOR } from '@nestjs/core';
import {
  FEATURE_READINESS_CHECKS,
  HealthController,
  READINESS_CHECKS,
  TracingInterceptor,
  tracingActive,
  type ReadinessCheck,
} from '@switchboard/observability';
import type { ClientProxy } from '@nestjs/microservices';

export interface RootOptions {
  /** feature modules this process hosts: one in cluster mode, all five in standalone */
  features: Type[];
  /** open (and migrate) the database: every service but the cluster gateway */
  database: boolean;
  /** extra providers */
  extraProviders?: Provider[];
  /** readiness checks beyond the database, NATS and the features' own */
  readiness?: ReadinessCheck[];
}

/** The root module of any Switchboard process: config, messaging, optional database, health and metrics. */
@Module({})
export class ServiceRootModule {
  static forRoot(config: AppConfig, opts: RootOptions): DynamicModule {
    const imports: DynamicModule['imports'] = [ConfigModule.forRoot(config), MessagingModule.forRoot(config)];
    if (opts.database) {
      imports.push(
        DbModule.forRoot({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, embeddedHost: config.EMBEDDED_DB_HOST, migrate: true, seed: true }),
      );
    }
    const checks: Provider = {
      provide: READINESS_CHECKS,
      useFactory: (client: ClientProxy, features: ReadinessCheck[] | undefined, db?: Database): ReadinessCheck[] => {
        const list: ReadinessCheck[] = [...(features ?? []), ...(opts.readiness ?? [])];
        if (db) list.push({ name: 'database', check: async () => void (await db.prisma.$queryRawUnsafe('SELECT 1')) });
        if (config.NATS_URL) {
          list.push({
            name: 'nats',
            check: async () => {
              const nc = client.unwrap<{ isClosed(): boolean } | undefined>();
              if (!nc || nc.isClosed()) throw new Error('not connected');
            },
          });
        }
        return list;
      },
      inject: [BUS_CLIENT, { token: FEATURE_READINESS_CHECKS, optional: true }, ...(opts.database ? [DATABASE] : [])],
    };
    return {
      module: ServiceRootModule,
      imports: [...imports, ...opts.features],
      controllers: [HealthController],
      // With tracing off the interceptor would only wrap every request in a no-op span: ~5% of the edge's CPU.
      providers: [checks, ...(tracingActive() ? [{ provide: APP_INTERCEPTOR, useClass: TracingInterceptor }] : []), ...(opts.extraProviders ?? [])],
    };
  }
}
