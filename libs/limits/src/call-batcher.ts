/**
 * Coalesces the calls made within one turn of the event loop into one batch: the first call schedules a flush with
 * setImmediate (after the I/O callbacks of the current turn), every call until then joins that batch. Idle, a call
 * waits for nothing but the end of its own turn; under load, one store round trip serves every request that ended in
 * the same turn (the profile of the cluster gateway showed each script call costing the client as much as the script).
 *
 * `runBatch` answers one outcome per item, in order: a value, or an Error for that item alone. If it throws, every
 * item of the batch fails with that error.
 */
export class CallBatcher<Item, Result> {
  private queue: { item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly runBatch: (items: Item[]) => Promise<(Result | Error)[]>,
    /** A full batch is sent at once (bounds one command's size and one script's run time). */
    private readonly maxBatch = 128,
  ) {}

  run(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Sends what is queued and waits until every batch sent so far has answered (shutdown). */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    const done = this.send(batch).finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  private async send(batch: { item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }[]): Promise<void> {
    let outcomes: (Result | Error)[];
    try {
      outcomes = await this.runBatch(batch.map((b) => b.item));
      if (outcomes.length !== batch.length) throw new Error(`batch of ${batch.length} answered ${outcomes.length} outcomes`);
    } catch (e) {
      for (const b of batch) b.reject(e);
      return;
    }
    batch.forEach((b, i) => {
      const outcome = outcomes[i];
      if (outcome instanceof Error) b.reject(outcome);
      else b.resolve(outcome as Result);
    });
  }
}
