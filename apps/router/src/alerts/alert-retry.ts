/** A failed delivery attempt; `transient` ones (network, timeout, 408/429/5xx, SMTP 4xx) are tried again. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface RetryOptions {
  /** attempts after the first */
  retries: number;
  /** the first wait; each next one doubles (with jitter down to half) */
  baseDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  error: string | null;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Runs `attempt` until it succeeds, fails permanently or has used its retries (exponential backoff between). */
export async function deliverWithRetries(attempt: () => Promise<void>, o: RetryOptions): Promise<DeliveryResult> {
  const sleep = o.sleep ?? realSleep;
  for (let n = 1; ; n++) {
    try {
      await attempt();
      return { delivered: true, attempts: n, error: null };
    } catch (e) {
      const transient = e instanceof DeliveryError ? e.transient : true;
      const error = (e as Error)?.message ?? String(e);
      if (!transient || n > o.retries) return { delivered: false, attempts: n, error };
      const wait = o.baseDelayMs * 2 ** (n - 1);
      await sleep(Math.round(wait / 2 + (Math.random() * wait) / 2));
    }
  }
}
