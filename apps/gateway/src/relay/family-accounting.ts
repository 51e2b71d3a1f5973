import { protocolDescriptor, type BillableUnits, type Usage } from '@switchboard/protocols';
import { accountedRequest, type InboundCall } from './inbound';

export const NO_USAGE: Readonly<Usage> = { promptTokens: 0, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

/** What a family's answer bills, or null for the chat protocols (their usage comes from the answer's tokens). */
export interface Measured {
  usage: Usage | null;
  units: BillableUnits | null;
}

/** A JSON answer of a family beyond chat, in the client's shape: its token usage (when reported) and units. */
export function measureJson(call: InboundCall, answer: Record<string, unknown>): Measured | null {
  const accounting = protocolDescriptor(call.protocol).accounting;
  if (!accounting) return null;
  try {
    return accounting.measure(answer, accountedRequest(call));
  } catch {
    return { usage: null, units: null };
  }
}

/** A bytes or streamed answer of a family: measured from the request (characters spoken…), else the estimate's units. */
export function measureFromRequest(call: InboundCall): Measured | null {
  const accounting = protocolDescriptor(call.protocol).accounting;
  if (!accounting) return null;
  const req = accountedRequest(call);
  try {
    return accounting.measureBytes ? accounting.measureBytes(req) : { usage: null, units: accounting.estimate(req).units };
  } catch {
    return { usage: null, units: null };
  }
}

/** Whether the answer is relayed as bytes (audio, subtitles) rather than JSON. */
export function answersBytes(call: InboundCall): boolean {
  const accounting = protocolDescriptor(call.protocol).accounting;
  return accounting?.answer?.(accountedRequest(call)) === 'bytes';
}

/**
 * A family's upstream may answer a stream request whole (whisper-1 ignores `stream=true`): anything but an event
 * stream is then relayed as it came, as JSON or bytes. Chat protocols always stream when asked.
 */
export function answeredWhole(call: InboundCall, contentType: string | undefined): boolean {
  return !!protocolDescriptor(call.protocol).accounting && !/^text\/event-stream/i.test(contentType ?? '');
}
