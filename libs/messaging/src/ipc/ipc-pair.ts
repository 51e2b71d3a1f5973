import { EventEmitter } from 'node:events';
import type { IpcEndpoint } from './ipc-link';

/**
 * Two connected endpoints inside one process, with the pipe's semantics: each message is JSON-copied and arrives in
 * a later turn, in order. For tests of what runs over IPC (and the behaviour suites of the remote stores).
 */
export function ipcEndpointPair(): [IpcEndpoint, IpcEndpoint] {
  const a = new EventEmitter();
  const b = new EventEmitter();
  const endpoint = (self: EventEmitter, other: EventEmitter): IpcEndpoint & { sent: number } => {
    const ep = {
      sent: 0,
      send(message: unknown) {
        ep.sent++;
        const copy: unknown = JSON.parse(JSON.stringify(message));
        setImmediate(() => other.emit('message', copy));
        return true;
      },
      on: (event: 'message', listener: (m: unknown) => void) => self.on(event, listener),
      off: (event: 'message', listener: (m: unknown) => void) => self.off(event, listener),
    };
    return ep;
  };
  return [endpoint(a, b), endpoint(b, a)];
}
