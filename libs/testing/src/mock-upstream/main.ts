// CLI: node dist/libs/testing/src/mock-upstream/main.js --port 4010 --host 127.0.0.1 [--keys k1,k2] [--chunks 64 --chunk-delay-ms 20]
import { startMockUpstream } from './mock-upstream.server';

function arg(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const port = Number(arg('port') ?? process.env.MOCK_UPSTREAM_PORT ?? 4010);
  const host = arg('host') ?? process.env.MOCK_UPSTREAM_HOST ?? '127.0.0.1';
  const keys = arg('keys')
    ?.split(',')
    .filter((k) => k);
  const mock = await startMockUpstream({ port, host, keys, maxRecorded: Number(arg('max-recorded') ?? 1000) });
  const chunks = arg('chunks');
  const delay = arg('chunk-delay-ms');
  if (chunks !== undefined || delay !== undefined) {
    mock.setStreamShape({
      chunks: chunks !== undefined ? Number(chunks) : undefined,
      delayMs: delay !== undefined ? Number(delay) : undefined,
    });
  }
  process.stdout.write(`${mock.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // `on`, not `once`: removing the last listener restores the default action, and a second signal
  // during close would then kill the process with 143 instead of a clean exit.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`mock upstream failed to start: ${String(err)}\n`);
  process.exit(1);
});
