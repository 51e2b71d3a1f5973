import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventEmitter } from 'node:events';
import type { RuntimeChannel } from '../state/routing-table.service';
import { AttemptContext } from './attempt-context';
import type { InboundCall } from './inbound';
import type { UpstreamResponse } from './upstream-response';

export { token } from '../auth/verified-token.fixture';

/** Test data for the relay's pipeline specs: no Fastify, no network. */

export const channel = (over: Partial<RuntimeChannel> = {}, keys = 1): RuntimeChannel => ({
  id: 1,
  name: 'c1',
  type: 'openai',
  baseUrl: 'http://upstream.test',
  keyMode: 'random',
  keys: Array.from({ length: keys }, (_, i) => ({ index: i, key: `k${i}` })),
  models: ['m'],
  modelMapping: {},
  groups: ['default'],
  priority: 0,
  weight: 1,
  headers: {},
  paramOverride: {},
  statusCodeMapping: {},
  timeouts: null,
  autoBan: true,
  endpoints: null,
  matchers: [],
  ...over,
});

export const inboundCall = (over: Partial<InboundCall> = {}): InboundCall => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'hello there' }] };
  return {
    protocol: 'openai-chat',
    operation: 'generate',
    endpoint: 'chat.completions',
    model: 'm',
    stream: false,
    body,
    raw: Buffer.from(JSON.stringify(body)),
    ...over,
  };
};

/** The node response under a reply: records what was written; `write` answers false once `full` is set. */
export class FakeRawResponse extends EventEmitter {
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  full = false;
  status = 0;
  head: Record<string, string> = {};
  readonly chunks: string[] = [];

  writeHead(status: number, headers: Record<string, string>): this {
    this.status = status;
    this.head = headers;
    this.headersSent = true;
    return this;
  }

  write(text: string | Buffer): boolean {
    this.chunks.push(String(text));
    return !this.full;
  }

  end(): void {
    this.writableEnded = true;
  }

  destroy(): void {
    this.destroyed = true;
  }
}

/** The parts of a FastifyReply the relay uses, recording the answer. */
export class FakeReply {
  readonly raw = new FakeRawResponse();
  sent = false;
  hijacked = false;
  statusCode = 0;
  payload: unknown = undefined;
  readonly sentHeaders: Record<string, string> = {};

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  header(name: string, value: string): this {
    this.sentHeaders[name] = value;
    return this;
  }

  headers(h: Record<string, string>): this {
    Object.assign(this.sentHeaders, h);
    return this;
  }

  getHeaders(): Record<string, string> {
    return { ...this.sentHeaders };
  }

  hijack(): void {
    this.hijacked = true;
  }

  send(payload: unknown): this {
    this.sent = true;
    this.payload = payload;
    return this;
  }
}

export function attemptContext(call = inboundCall(), reply = new FakeReply(), headers: Record<string, string> = {}): AttemptContext {
  const req = { headers, ip: '203.0.113.9' } as unknown as FastifyRequest;
  return new AttemptContext(call, req, reply as unknown as FastifyReply, 'req-1', performance.now());
}

/** An upstream answer: status, headers, and a body as chunks (an Error among them breaks the body there). */
export function upstreamResponse(statusCode: number, chunks: (string | Error)[] = [], headers: Record<string, string> = {}): UpstreamResponse {
  const bodyError = chunks.find((c): c is Error => c instanceof Error);
  const text = chunks.filter((c): c is string => typeof c === 'string').join('');
  return {
    statusCode,
    header: (name: string) => headers[name],
    bytes: (max = Infinity) => {
      if (bodyError) return Promise.reject(bodyError);
      if (Buffer.byteLength(text) > max) return Promise.reject(Object.assign(new Error('too large'), { code: 'UPSTREAM_RESPONSE_TOO_LARGE' }));
      return Promise.resolve(Buffer.from(text));
    },
    text: (max: number) => Promise.resolve(text.slice(0, max)),
    async *[Symbol.asyncIterator]() {
      for (const c of chunks) {
        await Promise.resolve();
        if (c instanceof Error) throw c;
        yield Buffer.from(c);
      }
    },
  } as unknown as UpstreamResponse;
}
