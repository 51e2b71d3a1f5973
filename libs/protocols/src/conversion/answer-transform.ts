/**
 * AnswerTransform: a change to a chat answer on its way to the client, made over the IR so it reads and writes every
 * protocol alike (think-split turns tagged text into reasoning; web-search adds citations). One instance per upstream
 * attempt: it may keep state across stream events (a tag split over chunks).
 */
import type { IrResponse, IrStreamEvent } from '../core/ir.types';

export interface AnswerTransform {
  /**
   * One stream event in, the events to send instead (none, it, or others). A transform holding text back releases it
   * at the latest with a terminal event (`finish`, `error`, `done`).
   */
  event(ev: IrStreamEvent): IrStreamEvent[];
  /** The upstream ended without a terminal event: what is still held back. */
  flush(): IrStreamEvent[];
  /** A whole answer (a non-stream call, or a stream aggregated into one). */
  response(ir: IrResponse): IrResponse;
}

/** The transforms of a request that has none: shared, so the common case allocates nothing. */
export const NO_TRANSFORMS: readonly AnswerTransform[] = Object.freeze([]);

/** Runs events through each transform in order. */
export function transformEvents(transforms: readonly AnswerTransform[], events: IrStreamEvent[]): IrStreamEvent[] {
  let out = events;
  for (const t of transforms) {
    const next: IrStreamEvent[] = [];
    for (const ev of out) for (const e of t.event(ev)) next.push(e);
    out = next;
  }
  return out;
}

/** What every transform still holds at the end of a stream, passed through the transforms after it. */
export function flushTransforms(transforms: readonly AnswerTransform[]): IrStreamEvent[] {
  let out: IrStreamEvent[] = [];
  for (let i = 0; i < transforms.length; i++) {
    const held = transforms[i].flush();
    out = held.length ? out.concat(transformEvents(transforms.slice(i + 1), held)) : out;
  }
  return out;
}

export function transformResponse(transforms: readonly AnswerTransform[], ir: IrResponse): IrResponse {
  let out = ir;
  for (const t of transforms) out = t.response(out);
  return out;
}
