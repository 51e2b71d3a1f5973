import { Subjects } from '@switchboard/contracts';
import { Bus } from '../bus';
import { InProcessBroker } from '../in-process/in-process.broker';
import type { InProcessServer } from '../in-process/in-process.server';
import { IpcBusClient } from './ipc-bus.client';
import { IpcBusHost } from './ipc-bus.host';
import { IpcLink } from './ipc-link';
import { ipcEndpointPair } from './ipc-pair';

/** A stand-in for a process's Nest handlers on its broker: answers one request pattern, records every event. */
function handlers(broker: InProcessBroker, answer?: (data: unknown) => unknown) {
  const events: [string, unknown][] = [];
  const server = {
    hasRequestHandler: (p: string) => !!answer && p === Subjects.AuthVerifyKey,
    hasEventHandler: () => true,
    invoke: (_p: string, data: unknown) => Promise.resolve(answer!(data)),
    dispatch: (p: string, data: unknown) => Promise.resolve(void events.push([p, data])),
  };
  broker.register(server as unknown as InProcessServer);
  return events;
}

function system(workers: number) {
  const primaryBroker = new InProcessBroker();
  const services = handlers(primaryBroker, (data) => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the plain RPC error shape a handler's filter produces
    if ((data as { keyHash: string }).keyHash === 'bad') throw { domainError: { code: 'nope', status: 418, message: 'teapot' } };
    return { token: null, echoed: data };
  });
  const host = new IpcBusHost(primaryBroker);
  const ws = Array.from({ length: workers }, () => {
    const [w, p] = ipcEndpointPair();
    host.attach(new IpcLink(p));
    const broker = new InProcessBroker();
    const events = handlers(broker);
    return { bus: new Bus(new IpcBusClient(new IpcLink(w), broker)), events };
  });
  return { primary: { broker: primaryBroker, events: services }, workers: ws };
}

/** Until every process has seen `n` events (each hop is a later turn; a loaded machine makes turns slow). */
async function delivered(lists: unknown[][], n: number): Promise<void> {
  while (lists.some((l) => l.length < n)) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 10)); // and no duplicate arrives after
}

describe('the bus of relay workers (IpcBusClient ↔ IpcBusHost)', () => {
  it("answers a worker's request from the primary's services, errors included", async () => {
    const { workers } = system(2);
    expect(await workers[1].bus.request(Subjects.AuthVerifyKey, { keyHash: 'abc' })).toEqual({ token: null, echoed: { keyHash: 'abc' } });
    await expect(workers[0].bus.request(Subjects.AuthVerifyKey, { keyHash: 'bad' })).rejects.toMatchObject({ code: 'nope', status: 418 });
    await expect(workers[0].bus.request(Subjects.RouterTableGet, {})).rejects.toMatchObject({ code: 'no_responders', status: 503 });
  });

  it('an event reaches every process once: from the primary all workers, from a worker itself, the primary and the others', async () => {
    const { primary, workers } = system(3);
    primary.broker.emit(Subjects.AuthChanged, { keyHashes: ['k'], all: false });
    await delivered([primary.events, ...workers.map((w) => w.events)], 1);
    for (const w of workers) expect(w.events).toEqual([[Subjects.AuthChanged, { keyHashes: ['k'], all: false }]]);
    expect(primary.events).toHaveLength(1);

    workers[1].bus.emit(Subjects.RouterBansChanged, { set: [], lifted: [] });
    await delivered([primary.events, ...workers.map((w) => w.events)], 2);
    for (const events of [primary.events, ...workers.map((w) => w.events)]) {
      expect(events.filter(([p]) => p === Subjects.RouterBansChanged)).toEqual([[Subjects.RouterBansChanged, { set: [], lifted: [] }]]);
    }
  });
});
