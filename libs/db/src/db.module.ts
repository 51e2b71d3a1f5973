import { Inject, Injectable, Module, type DynamicModule, type FactoryProvider, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { PrismaClient } from '../generated/client';
import { openDatabase } from './database';
import { releaseQueryCompilerSource } from './query-compiler-source';
import type { Database, OpenDatabaseOptions } from './database.types';

/** Injection token of the Database handle (for `kind`). */
export const DATABASE = Symbol.for('switchboard.db.Database');

/**
 * Inject this to get the PrismaClient: `constructor(private readonly prisma: PrismaService)`.
 * The class is only the DI token; the value is the Database's PrismaClient.
 */
/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- a DI token typed as the client it stands for */
export abstract class PrismaService {}
export interface PrismaService extends PrismaClient {}
/* eslint-enable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type */

export interface DbModuleOptions extends OpenDatabaseOptions {
  /** register the providers globally (default true) */
  global?: boolean;
}

export interface DbModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: FactoryProvider['inject'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed as Nest's FactoryProvider.useFactory: the factory takes the injected values
  useFactory: (...args: any[]) => OpenDatabaseOptions | Promise<OpenDatabaseOptions>;
  global?: boolean;
}

const DB_OPTIONS = Symbol.for('switchboard.db.options');

@Injectable()
class DbShutdown implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

const commonProviders: Provider[] = [
  {
    provide: DATABASE,
    useFactory: async (opts: OpenDatabaseOptions) => {
      const db = await openDatabase(opts);
      releaseQueryCompilerSource(); // loaded by now if the seed or migration check ran a query
      return db;
    },
    inject: [DB_OPTIONS],
  },
  { provide: PrismaService, useFactory: (db: Database) => db.prisma, inject: [DATABASE] },
  DbShutdown,
];

/** Opens the database once per module instance (handles for one database share a client) and closes it at shutdown. */
@Module({})
export class DbModule {
  static forRoot(opts: DbModuleOptions): DynamicModule {
    const { global = true, ...open } = opts;
    return {
      module: DbModule,
      global,
      providers: [{ provide: DB_OPTIONS, useValue: open }, ...commonProviders],
      exports: [DATABASE, PrismaService],
    };
  }

  static forRootAsync(opts: DbModuleAsyncOptions): DynamicModule {
    return {
      module: DbModule,
      global: opts.global ?? true,
      imports: opts.imports ?? [],
      providers: [{ provide: DB_OPTIONS, useFactory: opts.useFactory, inject: opts.inject ?? [] }, ...commonProviders],
      exports: [DATABASE, PrismaService],
    };
  }
}
