import type { UsageRecord } from '@switchboard/contracts';
import { IpcLink } from './ipc-link';
import { ipcEndpointPair } from './ipc-pair';
import { IpcUsageQueue, USAGE_TARGET } from './ipc-usage.queue';

describe('IpcUsageQueue (a relay worker publishing to its primary)', () => {
  it("sends a turn's records in one call and counts them pending until the primary has them", async () => {
    const [w, p] = ipcEndpointPair();
    const received: UsageRecord[][] = [];
    let accept: () => void = () => undefined;
    const accepted = new Promise<void>((r) => (accept = r));
    new IpcLink(p).serve(USAGE_TARGET, async (method, [records]) => {
      expect(method).toBe('publish');
      received.push(records as UsageRecord[]);
      await accepted;
    });
    const queue = new IpcUsageQueue(new IpcLink(w));
    for (let i = 0; i < 5; i++) queue.publish({ requestId: `r${i}` } as UsageRecord);
    expect(queue.pending()).toBe(5);
    while (!received.length) await new Promise((r) => setImmediate(r));
    expect(received.map((b) => b.map((r) => r.requestId))).toEqual([['r0', 'r1', 'r2', 'r3', 'r4']]);
    // Not yet confirmed: a draining worker's flush waits for it.
    expect(queue.pending()).toBe(5);
    const flushed = queue.flush(5_000);
    accept();
    await flushed;
    expect(queue.pending()).toBe(0);
    await expect(queue.consume()).rejects.toThrow(/primary consumes/);
  });
});
