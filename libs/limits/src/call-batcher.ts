/**
 * Coalesces calls into batches. A call made while no batch is on its way goes out at once, alone (idle, nothing
 * waits); a call made while one is, joins a batch that leaves at the end of the current event-loop turn (setImmediate,
 * after the turn's I/O callbacks). Under load, one store round trip then serves every request of a turn (the profile
 * of the cluster gateway showed each limit script call costing the client about as much as the script itself).
 *
 * `runBatch` answers one outcome per item, in order: a value, or an Error for that item alone. If it throws, every
 * item of the batch fails with that error.
 */
interface Queued<Item, Result> {
  item: Item;
  resolve: (r: Result) => void;
  reject: (e: unknown) => void;
}

export class CallBatcher<Item, Result> {
  private queue: Queued<Item, Result>[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  /** Batches sent and not answered yet. */
  private inFlight = 0;
  private onIdle: (() => void)[] = [];

  constructor(
    private readonly runBatch: (items: Item[]) => Promise<(Result | Error)[]>,
    /** A full batch is sent at once (bounds one command's size and one script's run time). */
    private readonly maxBatch = 128,
  ) {}

  run(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxBatch || (this.inFlight === 0 && this.queue.length === 1)) this.flush();
      else this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /**
   * Sends what is queued and waits until every batch has answered (shutdown), also the calls made while it waits (a
   * stream cut off at the drain timeout releases its lease then): it returns only with nothing queued or on its way.
   */
  async drain(): Promise<void> {
    for (;;) {
      this.flush();
      if (this.inFlight === 0) return;
      await new Promise<void>((r) => this.onIdle.push(r));
    }
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.inFlight++;
    void this.send(batch);
  }

  private async send(batch: Queued<Item, Result>[]): Promise<void> {
    let outcomes: (Result | Error)[] | undefined;
    let failure: unknown;
    try {
      outcomes = await this.runBatch(batch.map((b) => b.item));
      if (outcomes.length !== batch.length) throw new Error(`batch of ${batch.length} answered ${outcomes.length} outcomes`);
    } catch (e) {
      failure = e;
    }
    // Answered: no longer on its way before any caller resumes (a caller's next call then goes out at once).
    if (--this.inFlight === 0) for (const wake of this.onIdle.splice(0)) wake();
    batch.forEach((b, i) => {
      const outcome = outcomes?.[i];
      if (failure !== undefined) b.reject(failure);
      else if (outcome instanceof Error) b.reject(outcome);
      else b.resolve(outcome as Result);
    });
  }
}
