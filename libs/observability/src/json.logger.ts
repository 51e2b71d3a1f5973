import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import { activeTraceIds } from './tracing';

/**
 * Nest's own boot chatter (one line per module, route and microservice) says nothing an operator acts on: it is
 * logged at debug so that `info` starts with the lines that matter (listening on …, the generated admin key).
 */
const BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestMicroservice', 'NestApplication']);

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';

export interface LoggerOptions {
  /** human-readable lines instead of JSON; default: when stdout is a terminal */
  pretty?: boolean;
  /** where lines go (tests); default stdout */
  destination?: DestinationStream;
  /** on every line (a relay worker's `worker` number) */
  fields?: Record<string, unknown>;
}

function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  // Loaded only for a terminal: containers and log shippers get JSON and never load it. `sync` keeps it on this
  // thread (no transport worker) and in order with the process' own output.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as (o: Record<string, unknown>) => DestinationStream;
  return pretty({
    sync: true,
    colorize: !destination && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
    hideObject: false,
    ...(destination ? { destination } : {}),
  });
}

/** Nest's logger: structured JSON lines (pino) carrying the active trace and span ids, or readable lines on a terminal. */
export class JsonLogger implements LoggerService {
  private readonly pino: Logger;

  constructor(service: string, level: string, opts: LoggerOptions = {}) {
    const pretty = opts.pretty ?? process.stdout.isTTY === true;
    const options = {
      level: level === 'silent' ? 'silent' : level,
      base: { service, ...opts.fields },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => activeTraceIds() ?? {},
    };
    this.pino = pretty ? pino(options, prettyStream(opts.destination)) : opts.destination ? pino(options, opts.destination) : pino(options);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const ctx = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    if (level === 'info' && ctx !== undefined && BOOT_CONTEXTS.has(ctx)) level = 'debug';
    if (message instanceof Error) this.pino[level]({ context: ctx, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ context: ctx, ...message });
    else {
      const stack = level === 'error' && params.length > 1 && typeof params[0] === 'string' ? params[0] : undefined;
      this.pino[level]({ context: ctx, ...(stack ? { stack } : {}) }, String(message));
    }
  }

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }
}
