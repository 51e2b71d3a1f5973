import type { LoggedBodies } from '@switchboard/contracts';
import type { AnswerTap } from '../plugins/relay-plugin';
import type { InboundCall } from '../relay/inbound';
import { redactSecrets } from './redact-secrets';

/**
 * Past the cap a body keeps this much more until it is redacted, so a secret cut by the cap is still recognised whole
 * and masked before the cut.
 */
const REDACT_SLACK = 1024;

/** A body cut at `maxBytes` (UTF-8) with a marker naming its original size; `totalBytes`: the size it had. */
export function capBody(text: string, maxBytes: number, totalBytes = Buffer.byteLength(text)): { text: string; truncated: boolean } {
  if (totalBytes <= maxBytes && Buffer.byteLength(text) <= maxBytes) return { text, truncated: false };
  // A cut inside a multi-byte character leaves one U+FFFD: harmless in a log.
  const head = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  return { text: `${head}\n…[truncated: ${totalBytes} bytes in all]`, truncated: true };
}

/**
 * The bodies of one request whose token or group opts in (logBodies): an answer tap (relay-plugin's AnswerTap, fed by
 * the JSON and stream sinks with the bytes the client receives) that keeps the first LOG_BODY_MAX_BYTES of the answer,
 * and at the end the request's bodies redacted and capped for the usage record.
 */
export class BodyLog implements AnswerTap {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;
  /** an error answer the gateway rendered itself (no sink fed the tap) */
  private errorBody: string | null = null;

  constructor(private readonly maxBytes: number) {}

  write(chunk: string | Buffer): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.total += b.length;
    const room = this.maxBytes + REDACT_SLACK - this.kept;
    if (room <= 0) return;
    const piece = b.length <= room ? b : b.subarray(0, room);
    this.chunks.push(piece);
    this.kept += piece.length;
  }

  end(): void {}

  /** The gateway answered with an error body of its own. */
  error(body: string): void {
    this.errorBody = body;
  }

  /** The request's logged bodies: redacted, then each capped. */
  bodies(call: Pick<InboundCall, 'raw' | 'files'>): LoggedBodies {
    // An upload's files are not logged: only their size (its text fields are small and rarely worth it).
    const request = call.files?.length
      ? { text: `[multipart, ${call.files.reduce((n, f) => n + f.bytes, 0)} bytes]`, truncated: false }
      : this.capped(call.raw.subarray(0, this.maxBytes + REDACT_SLACK).toString('utf8'), call.raw.length);
    const response = this.kept
      ? this.capped(Buffer.concat(this.chunks).toString('utf8'), this.total)
      : this.errorBody === null
        ? null
        : this.capped(this.errorBody);
    return { request: request.text, response: response?.text ?? null, truncated: request.truncated || (response?.truncated ?? false) };
  }

  private capped(text: string, totalBytes?: number): { text: string; truncated: boolean } {
    return capBody(redactSecrets(text), this.maxBytes, totalBytes);
  }
}
