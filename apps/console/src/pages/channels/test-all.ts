/**
 * Runs `run` over every item, at most `concurrency` at a time (the gateway and the upstreams are not flooded), and
 * reports each outcome as it lands so the page can show progress. A failure is an outcome, not the end of the run.
 */
export async function runAll<T, R>(
  items: readonly T[],
  run: (item: T) => Promise<R>,
  opts: { concurrency: number; onResult: (item: T, outcome: { ok: true; value: R } | { ok: false; error: Error }, done: number) => void },
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      let outcome: { ok: true; value: R } | { ok: false; error: Error };
      try {
        outcome = { ok: true, value: await run(item) };
      } catch (e) {
        outcome = { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
      }
      opts.onResult(item, outcome, ++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, items.length)) }, worker));
}
