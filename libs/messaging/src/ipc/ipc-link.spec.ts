import { IpcLink, IpcLinkClosedError } from './ipc-link';
import { ipcEndpointPair } from './ipc-pair';

function linked() {
  const [a, b] = ipcEndpointPair();
  return { worker: new IpcLink(a), primary: new IpcLink(b), workerEnd: a as typeof a & { sent: number } };
}

describe('IpcLink', () => {
  it('answers calls with values, promises and errors as the other side threw them', async () => {
    const { worker, primary } = linked();
    primary.serve('math', (method, args) => {
      if (method === 'add') return (args[0] as number) + (args[1] as number);
      if (method === 'later') return Promise.resolve({ deep: [1, { x: 'y' }] });
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the plain RPC error shape the bus passes along
      if (method === 'domain') throw { domainError: { code: 'nope', status: 418, message: 'teapot' } };
      const e = new Error('went wrong') as Error & { code: string };
      e.name = 'LimitStoreUnavailableError';
      e.code = 'X';
      throw e;
    });
    expect(await worker.call('math', 'add', [2, 3])).toBe(5);
    expect(await worker.call('math', 'later')).toEqual({ deep: [1, { x: 'y' }] });
    // A plain error object (the bus's serialised DomainError) arrives as it was; an Error keeps its name, message, code.
    await expect(worker.call('math', 'domain')).rejects.toEqual({ domainError: { code: 'nope', status: 418, message: 'teapot' } });
    await expect(worker.call('math', 'boom')).rejects.toMatchObject({ name: 'LimitStoreUnavailableError', message: 'went wrong', code: 'X' });
    await expect(worker.call('nothing', 'x')).rejects.toThrow(/no IPC target nothing/);
  });

  it('sends everything of one event-loop turn as one message, handled in the order it was sent', async () => {
    const { worker, primary, workerEnd } = linked();
    const seen: number[] = [];
    primary.serve('log', (_m, [n]) => {
      seen.push(n as number);
      return n;
    });
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => worker.call('log', 'push', [i])));
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(seen).toEqual(replies);
    expect(workerEnd.sent).toBe(1);
  });

  it('drops a trailing undefined argument so that a default parameter on the other side applies', async () => {
    const { worker, primary } = linked();
    primary.serve('t', (_m, args) => ((now = 42) => ({ n: args.length, now }))(args[0] as number | undefined));
    expect(await worker.call('t', 'x', [undefined])).toEqual({ n: 0, now: 42 });
  });

  it('delivers events, and fails calls still waiting when the link closes', async () => {
    const { worker, primary } = linked();
    const got: unknown[] = [];
    primary.listen('bus', (m, a) => void got.push([m, ...a]));
    worker.notify('bus', 'emit', ['subject', { a: 1 }]);
    primary.serve('slow', () => new Promise(() => undefined));
    const pending = worker.call('slow', 'forever');
    // delivered across the link asynchronously: wait for it (a loaded machine takes longer than a fixed pause)
    for (const end = Date.now() + 2_000; !got.length && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual([['emit', 'subject', { a: 1 }]]);
    expect(worker.inFlight).toBe(1);
    worker.close();
    await expect(pending).rejects.toBeInstanceOf(IpcLinkClosedError);
    await expect(worker.call('slow', 'again')).rejects.toBeInstanceOf(IpcLinkClosedError);
  });

  it('a call with a timeout gives up when no answer comes', async () => {
    const { worker, primary } = linked();
    primary.serve('slow', () => new Promise(() => undefined));
    await expect(worker.call('slow', 'x', [], 30)).rejects.toThrow(/within 30 ms/);
    expect(worker.inFlight).toBe(0);
  });
});
