import type { PriceEntry } from '@switchboard/contracts';
import { computeCostMicros } from '@switchboard/pricing';
import { realtimeResponseCreate, realtimeResponseUsage, realtimeSessionMaxOutput, type ResponseCreate, type Usage } from '@switchboard/protocols';
import { DEFAULT_RESERVED_OUTPUT_TOKENS } from '../admission/admission.service';

/**
 * A session's bill, kept as its frames pass: each `response.done` is billed with the model's token price (its own
 * rounding and per-request price, as a request of the relay would be), the session's usage is their sum. The next
 * response's worst case (the context so far and its output budget) is what the quota must still cover before a
 * `response.create` is forwarded.
 */
export class RealtimeMeter {
  readonly usage: Usage = { promptTokens: 0, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  costMicros = 0;
  responses = 0;
  /** the last response's input: the conversation the next one reads again */
  private lastInput = 0;
  private sessionMaxOutput: number | null = null;

  constructor(
    private readonly price: PriceEntry | null,
    private readonly priceRatio: number,
  ) {}

  /** A server frame: the usage of a `response.done` (then billed), else null. */
  server(frame: Buffer): Usage | null {
    const u = realtimeResponseUsage(frame);
    if (!u) return null;
    this.usage.promptTokens += u.promptTokens;
    this.usage.completionTokens += u.completionTokens;
    this.usage.cacheReadTokens += u.cacheReadTokens;
    this.costMicros += this.cost(u);
    this.lastInput = u.promptTokens;
    this.responses++;
    return u;
  }

  /** A client frame: the `response.create` to admit, else null (a `session.update` sets the output budget). */
  client(frame: Buffer): ResponseCreate | null {
    const max = realtimeSessionMaxOutput(frame);
    if (max !== undefined) this.sessionMaxOutput = max;
    return realtimeResponseCreate(frame);
  }

  /** The most the next response can cost: the context again, and its output budget (or the relay's default). */
  nextResponseMicros(create: ResponseCreate): number {
    const output = create.maxOutputTokens ?? this.sessionMaxOutput ?? DEFAULT_RESERVED_OUTPUT_TOKENS;
    return this.cost({ promptTokens: this.lastInput, completionTokens: output, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  }

  private cost(u: Usage): number {
    return this.price ? computeCostMicros(u, this.price, this.priceRatio) : 0;
  }
}
