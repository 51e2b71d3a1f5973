/**
 * One side of the IPC channel between a gateway process's primary and one of its relay workers (node:cluster's
 * `process.send` pipe). Either side calls named targets on the other (`call`) and fires events (`notify`).
 *
 * Everything sent within one event-loop turn leaves as ONE message at the end of that turn (`setImmediate`): under load
 * the acquires, settles and usage records of many requests share a pipe write and a JSON parse on each side, and a
 * lone call at concurrency 1 waits for nothing but the current turn. Messages are handled strictly in the order sent,
 * which is what makes the primary's stores exact: it runs every worker's operations one after another.
 */

/** What a target answers: a value, or a promise of one. Arguments and results travel as JSON. */
export type IpcHandler = (method: string, args: unknown[]) => unknown;

/** The pipe: `process` in a worker, a `cluster.Worker` in the primary. */
export interface IpcEndpoint {
  send(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

type Msg =
  | { k: 'call'; id: number; t: string; m: string; a: unknown[] }
  | { k: 'ok'; id: number; v: unknown }
  | { k: 'err'; id: number; e: unknown }
  | { k: 'event'; t: string; m: string; a: unknown[] };

/** Our frames carry this key, so that other users of the same pipe (prom-client, a supervisor) are left alone. */
const FRAME = 'switchboardIpc';

/** An Error does not survive JSON: its name and message (and a status/code, if any) are sent instead. */
interface WireError {
  ipcError: { name: string; message: string; code?: unknown; status?: unknown };
}

/** The other process could not be asked (gone, or silent past the call's timeout): nothing is known of the outcome. */
export class IpcLinkClosedError extends Error {
  constructor(what: string, why = `the IPC link to the ${typeof process.send === 'function' ? 'primary' : 'worker'} process is closed`) {
    super(`${what}: ${why}`);
    this.name = 'IpcLinkClosedError';
  }
}

export class IpcLink {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void; what: string }>();
  private readonly targets = new Map<string, IpcHandler>();
  private readonly eventTargets = new Map<string, IpcHandler>();
  private outbox: Msg[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly listener = (message: unknown) => this.receive(message);

  constructor(private readonly endpoint: IpcEndpoint) {
    endpoint.on('message', this.listener);
  }

  /** Answers calls to `target` from the other side. */
  serve(target: string, handler: IpcHandler): this {
    this.targets.set(target, handler);
    return this;
  }

  /** Receives events sent to `target` by the other side. */
  listen(target: string, handler: IpcHandler): this {
    this.eventTargets.set(target, handler);
    return this;
  }

  call<T = unknown>(target: string, method: string, args: unknown[] = [], timeoutMs = 0): Promise<T> {
    if (this.closed) return Promise.reject(new IpcLinkClosedError(`${target}.${method}`));
    const id = this.nextId++;
    const what = `${target}.${method}`;
    const reply = new Promise<T>((resolve, reject) => this.waiting.set(id, { resolve: resolve, reject, what }));
    this.push({ k: 'call', id, t: target, m: method, a: trimUndefined(args) });
    if (!timeoutMs) return reply;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new IpcLinkClosedError(what, `no answer from the other process within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    return Promise.race([reply, timeout]).finally(() => clearTimeout(timer));
  }

  notify(target: string, method: string, args: unknown[] = []): void {
    if (!this.closed) this.push({ k: 'event', t: target, m: method, a: trimUndefined(args) });
  }

  /** Calls still waiting for their answer. */
  get inFlight(): number {
    return this.waiting.size;
  }

  /** The other process is gone: every call still waiting fails now, later ones at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endpoint.off('message', this.listener);
    for (const [, w] of this.waiting) w.reject(new IpcLinkClosedError(w.what));
    this.waiting.clear();
    this.outbox = [];
  }

  private push(msg: Msg): void {
    this.outbox.push(msg);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.outbox.length || this.closed) return;
    const frame = this.outbox;
    this.outbox = [];
    try {
      this.endpoint.send({ [FRAME]: frame });
    } catch {
      // The channel closed under us (the other process exited): nothing sent will be answered.
      this.close();
    }
  }

  private receive(message: unknown): void {
    const frame = (message as Record<string, unknown> | null)?.[FRAME];
    if (!Array.isArray(frame)) return;
    for (const msg of frame as Msg[]) {
      if (msg.k === 'call') this.answer(msg);
      else if (msg.k === 'event') this.deliver(msg);
      else {
        const w = this.waiting.get(msg.id);
        if (!w) continue;
        this.waiting.delete(msg.id);
        if (msg.k === 'ok') w.resolve(msg.v);
        else w.reject(fromWire(msg.e));
      }
    }
  }

  private answer(msg: Extract<Msg, { k: 'call' }>): void {
    const handler = this.targets.get(msg.t);
    if (!handler) {
      this.push({ k: 'err', id: msg.id, e: toWire(new Error(`no IPC target ${msg.t}`)) });
      return;
    }
    let result: unknown;
    try {
      result = handler(msg.m, msg.a);
    } catch (e) {
      this.push({ k: 'err', id: msg.id, e: toWire(e) });
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (v: unknown) => this.push({ k: 'ok', id: msg.id, v }),
        (e: unknown) => this.push({ k: 'err', id: msg.id, e: toWire(e) }),
      );
    } else this.push({ k: 'ok', id: msg.id, v: result });
  }

  private deliver(msg: Extract<Msg, { k: 'event' }>): void {
    try {
      const r = this.eventTargets.get(msg.t)?.(msg.m, msg.a);
      if (r instanceof Promise) r.catch(() => undefined);
    } catch {
      /* an event has no one to answer to */
    }
  }
}

/** JSON turns a trailing `undefined` argument into `null`, which would defeat a default parameter on the other side. */
function trimUndefined(args: unknown[]): unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  return n === args.length ? args : args.slice(0, n);
}

function toWire(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const { code, status } = e as Error & { code?: unknown; status?: unknown };
  const wire: WireError = { ipcError: { name: e.name, message: e.message, code, status } };
  return wire;
}

/** Kept as their class, so that `instanceof RangeError` (a store's input check) holds on the calling side too. */
const BUILTIN_ERRORS: Record<string, ErrorConstructor> = { RangeError, TypeError, SyntaxError };

function fromWire(e: unknown): unknown {
  const w = (e as WireError | null)?.ipcError;
  if (!w || typeof w !== 'object') return e;
  const Kind = BUILTIN_ERRORS[w.name] ?? Error;
  const err = new Kind(w.message) as Error & { code?: unknown; status?: unknown };
  err.name = w.name;
  if (w.code !== undefined) err.code = w.code;
  if (w.status !== undefined) err.status = w.status;
  return err;
}
