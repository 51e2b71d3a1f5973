import { KIRO_EXCEPTION_EVENT } from '@switchboard/protocols';
import { AwsEventStreamError, AwsEventStreamReader, sseEventOf } from '../aws/event-stream.reader';
import type { StreamFramer } from '../provider.types';

/**
 * Kiro's binary AWS event stream → the SSE text the `kiro` stream decoder reads: each event as `event: <:event-type>`
 * with its JSON payload; an exception frame (or a corrupt one) as one `exception` event `{ code, message }`, which the
 * decoder turns into the client's in-stream error. Nothing is read after it.
 */
export class KiroEventStreamFramer implements StreamFramer {
  private readonly reader = new AwsEventStreamReader();
  private failed = false;

  push(chunk: Uint8Array): string {
    if (this.failed) return '';
    try {
      return this.reader
        .push(chunk)
        .map((m) => sseEventOf(m.headers[':event-type'] ?? '', m.payload || '{}'))
        .join('');
    } catch (e) {
      return this.fail(e);
    }
  }

  end(): string {
    if (this.failed) return '';
    try {
      this.reader.end();
      return '';
    } catch (e) {
      return this.fail(e);
    }
  }

  private fail(e: unknown): string {
    this.failed = true;
    const code = e instanceof AwsEventStreamError ? e.code : 'invalidFrame';
    return sseEventOf(KIRO_EXCEPTION_EVENT, JSON.stringify({ code, message: (e as Error).message }));
  }
}
