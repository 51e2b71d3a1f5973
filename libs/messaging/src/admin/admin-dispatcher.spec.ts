import { DomainError, Subjects, adminRouteList, badRequest, type AdminHandlers } from '@switchboard/contracts';
import { ZodError } from 'zod';
import { AdminDispatcher } from './admin-dispatcher';

type LogsHandlers = AdminHandlers<typeof Subjects.LogsAdmin>;

/** Handlers that record what they were called with. */
function logsHandlers() {
  const calls: { op: string; call: unknown }[] = [];
  const record =
    (op: string, answer: unknown) =>
    async (call: unknown): Promise<never> => {
      calls.push({ op, call });
      return answer as never;
    };
  const handlers: LogsHandlers = {
    'logs.list': record('logs.list', { data: [], total: 0, nextCursor: null }),
    'logs.get': record('logs.get', { requestId: 'r1' }),
    'stats.get': record('stats.get', { days: 7 }),
    'audit.list': record('audit.list', { data: [], total: 0 }),
    'usage-dead-letters.list': record('usage-dead-letters.list', { data: [], total: 0 }),
  };
  return { handlers, calls };
}

const rejection = async (p: Promise<unknown>): Promise<DomainError | ZodError> => {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a rejection');
};

describe('AdminDispatcher', () => {
  it('refuses at construction a handler map that misses a route of its subject or has one the table does not list', () => {
    const { handlers } = logsHandlers();
    expect(() => new AdminDispatcher(Subjects.LogsAdmin, handlers)).not.toThrow();
    const { 'audit.list': _dropped, ...missing } = handlers;
    expect(() => new AdminDispatcher(Subjects.LogsAdmin, missing as LogsHandlers)).toThrow('missing [audit.list], not in the table []');
    expect(() => new AdminDispatcher(Subjects.LogsAdmin, { ...handlers, 'logs.purge': async () => ({}) } as LogsHandlers)).toThrow(
      'missing [], not in the table [logs.purge]',
    );
    // A map of another subject's routes is wrong both ways.
    expect(() => new AdminDispatcher(Subjects.AuthAdmin, handlers as never)).toThrow(/missing \[orgs\.list, .*users\.list/);
  });

  it('calls the one handler of resource.op with the query parsed by the route schema, and answers its result', async () => {
    const { handlers, calls } = logsHandlers();
    const d = new AdminDispatcher(Subjects.LogsAdmin, handlers);
    await expect(d.dispatch({ resource: 'stats', op: 'get', query: { days: '3' }, body: { ignored: true } })).resolves.toEqual({ days: 7 });
    expect(calls).toEqual([{ op: 'stats.get', call: { id: undefined, query: { days: 3, top: 10 }, body: {}, actor: 'admin', actorRole: 'admin' } }]);
  });

  it('passes the path parameter as id, and no query to a route without a query schema', async () => {
    const { handlers, calls } = logsHandlers();
    await new AdminDispatcher(Subjects.LogsAdmin, handlers).dispatch({ resource: 'logs', op: 'get', id: 'req-1', query: { x: '1' }, actor: 'me' });
    expect(calls[0]).toEqual({ op: 'logs.get', call: { id: 'req-1', query: {}, body: {}, actor: 'me', actorRole: 'admin' } });
  });

  it('answers not_found (404) for an operation outside the table or of another subject', async () => {
    const { handlers } = logsHandlers();
    const d = new AdminDispatcher(Subjects.LogsAdmin, handlers);
    for (const [resource, op] of [
      ['logs', 'purge'],
      ['docs', 'schemas'],
      ['users', 'list'], // auth's
      ['constructor', 'name'],
    ]) {
      expect(await rejection(d.dispatch({ resource, op }))).toMatchObject({
        code: 'not_found',
        status: 404,
        message: `admin operation ${resource}.${op} not found`,
      });
    }
  });

  it('rejects bad input before the handler runs, with the service parser', async () => {
    const { handlers, calls } = logsHandlers();
    const plain = new AdminDispatcher(Subjects.LogsAdmin, handlers);
    expect(await rejection(plain.dispatch({ resource: 'logs', op: 'list', query: { limit: '0' } }))).toBeInstanceOf(ZodError);
    const named = new AdminDispatcher(Subjects.LogsAdmin, handlers, (schema, input) => {
      const r = schema.safeParse(input);
      if (!r.success) throw badRequest(`${r.error.issues[0].path.join('.')}: bad`);
      return r.data;
    });
    expect(await rejection(named.dispatch({ resource: 'logs', op: 'list', query: { limit: '0' } }))).toMatchObject({ status: 400, message: 'limit: bad' });
    expect(calls).toEqual([]);
  });

  it('parses the body of a route that has one', async () => {
    const answer = { balance: 3 };
    const seen: unknown[] = [];
    // Every billing route needs a handler (the constructor checks); only top-up is called.
    const billing = Object.fromEntries(
      adminRouteList()
        .filter((r) => r.subject === Subjects.BillingAdmin)
        .map((r) => [r.op, async (c: unknown) => (r.op === 'users.topup' ? (seen.push(c), answer) : Promise.reject(new Error(`${r.op} not expected`)))]),
    ) as unknown as AdminHandlers<typeof Subjects.BillingAdmin>;
    const d = new AdminDispatcher(Subjects.BillingAdmin, billing);
    await expect(d.dispatch({ resource: 'users', op: 'topup', id: '7', body: { amount: 2 } })).resolves.toBe(answer);
    expect(seen).toEqual([{ id: '7', query: {}, body: { amount: 2 }, actor: 'admin', actorRole: 'admin' }]);
    expect(await rejection(d.dispatch({ resource: 'users', op: 'topup', id: '7', body: { amount: -1 } }))).toBeInstanceOf(ZodError);
  });
});
