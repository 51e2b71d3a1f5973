import { protocolDescriptor } from '@switchboard/protocols';
import type { RelayPlugin } from '../relay-plugin';

/**
 * stream-fake (SPEC §8): a non-stream chat call is sent upstream as a stream and reassembled by the JSON sink, so a
 * long generation keeps bytes flowing on the upstream leg (first-byte and proxy timeouts) while the client still gets
 * its protocol's ordinary answer, billed as usual. Only chat protocols both ways (the IR's stream codecs do the
 * reassembly); media families and upstreams that always stream (Kiro: aggregated already) are left alone.
 */
export const streamFakePlugin: RelayPlugin = {
  name: 'stream-fake',
  shapeAttempt(ctx, shape) {
    const { call } = ctx;
    if (call.stream || call.operation !== 'generate' || !protocolDescriptor(call.protocol).codecs) return 'skipped';
    const upstream = protocolDescriptor(shape.upstreamProtocol);
    if (!upstream.codecs || upstream.streamOnly) return 'skipped';
    shape.stream = true;
    return 'applied';
  },
};
