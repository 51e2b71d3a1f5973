import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(60_000);

describe('graceful shutdown (SIGTERM)', () => {
  let mock: MockUpstream;
  let sys: System | undefined;

  beforeAll(async () => {
    mock = await startMockUpstream();
  });

  afterAll(async () => {
    await sys?.stop();
    await mock.close();
  });

  it('lets a running stream finish, refuses new work, stores its usage record, and exits 0', async () => {
    sys = await startStandalone({ SHUTDOWN_TIMEOUT_MS: '10000' });
    const admin = adminClient(sys.url, sys.adminKey);
    await admin.post('/api/channels', { name: 'slow', type: 'openai', baseUrl: mock.url, keys: ['k'], models: ['slow-m'] });
    const key = String((await admin.post('/api/tokens', { name: 'sd' })).body.key);
    const client = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });

    const stream = await client.chat.completions
      .create({
        model: 'slow-m',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'slowly [chunks:15] [delay:100]' }],
      })
      .withResponse();
    const requestId = stream.response.headers.get('x-request-id')!;
    const proc = sys.procs[0].child;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    let chunks = 0;
    let finished = false;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream.data) {
      chunks++;
      if (chunks === 2) {
        proc.kill('SIGTERM');
        // While draining: readiness says no, and a new request is refused (or the port is already closed).
        await eventually(
          async () => {
            const r = await fetch(`${sys!.url}/health/ready`).catch(() => null);
            return !r || r.status === 503;
          },
          2_000,
          'readiness to turn 503',
        );
      }
      if (c.choices[0]?.finish_reason) finished = true;
      if (c.usage) usage = c.usage;
    }
    expect(finished).toBe(true);
    expect(usage?.completion_tokens).toBeGreaterThan(10);
    expect(await exited).toBe(0);

    // Back up on the same data: the record of the drained stream is there.
    const dataDir = sys.dataDir;
    sys = await startStandalone({}, dataDir);
    const admin2 = adminClient(sys.url, sys.adminKey);
    const log = await eventually(
      async () => {
        const r = await admin2.get(`/api/logs/${requestId}`);
        return r.status === 200 ? r.body : null;
      },
      5_000,
      'the drained stream in the log',
    );
    expect(log).toMatchObject({ requestId, stream: true, status: 200, completionTokens: usage!.completion_tokens });
  });
});
