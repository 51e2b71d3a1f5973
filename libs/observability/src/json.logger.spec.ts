import { Writable } from 'node:stream';
import { JsonLogger } from './json.logger';

function capture(): { lines: string[]; stream: Writable & { write: (s: string) => boolean } } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

describe('JsonLogger', () => {
  it('writes JSON lines with service and context when not pretty', () => {
    const { lines, stream } = capture();
    new JsonLogger('gateway', 'info', { pretty: false, destination: stream }).log('listening on http://x', 'gateway');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 30, service: 'gateway', context: 'gateway', msg: 'listening on http://x' });
  });

  it("keeps Nest's boot lines out of info and shows them at debug", () => {
    const info = capture();
    const atInfo = new JsonLogger('standalone', 'info', { pretty: false, destination: info.stream });
    atInfo.log('GatewayModule dependencies initialized', 'InstanceLoader');
    atInfo.log('Mapped {/v1/models, GET} route', 'RouterExplorer');
    atInfo.log('Nest application successfully started', 'NestApplication');
    atInfo.log('standalone listening on http://127.0.0.1:3000', 'standalone');
    expect(info.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['standalone listening on http://127.0.0.1:3000']);

    const debug = capture();
    new JsonLogger('standalone', 'debug', { pretty: false, destination: debug.stream }).log('Mapped {/v1/models, GET} route', 'RouterExplorer');
    expect(JSON.parse(debug.lines[0])).toMatchObject({ level: 20, context: 'RouterExplorer' });
  });

  it('writes readable lines (not JSON) when pretty', () => {
    const { lines, stream } = capture();
    const logger = new JsonLogger('gateway', 'info', { pretty: true, destination: stream });
    logger.warn('redis unreachable', 'LimitStore');
    logger.error(new Error('boom'), 'RelayService');
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN.*\[LimitStore\] redis unreachable$/);
    expect(() => JSON.parse(lines[0])).toThrow();
    expect(lines.join('\n')).toContain('[RelayService] boom');
  });
});
