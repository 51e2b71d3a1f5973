import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

/** Inline media is reserved by its size: a balance that covers a small image does not cover a 5 MB PDF. */
describe('media parts reserve by byte size (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let client: OpenAI;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    const admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'media', type: 'openai', baseUrl: mock.url, keys: ['media'], models: ['media-m'] })).status).toBe(201);
    expect((await admin.put('/api/prices/media-m', { input: 3, output: 15 })).status).toBe(200);
    const user = await admin.post('/api/users', { name: 'media-user', balance: 0.05 });
    const tok = await admin.post('/api/tokens', { name: 'media', userId: user.body.id });
    client = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await eventually(
      async () =>
        (await client.chat.completions.create({ model: 'media-m', max_tokens: 10, messages: [{ role: 'user', content: 'warm-up' }] })).choices.length > 0,
      5_000,
      'media-m routable',
    );
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  const withPart = (part: OpenAI.Chat.ChatCompletionContentPart) =>
    client.chat.completions.create({
      model: 'media-m',
      max_tokens: 100,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'describe this' }, part] }],
    });

  it('a small image is served; a 5 MB PDF is refused with insufficient_quota before anything is relayed', async () => {
    mock.reset();
    const png = Buffer.alloc(2_000, 1).toString('base64');
    const ok = await withPart({ type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } });
    expect(ok.choices[0].message.content).toContain('describe this');
    expect(mock.requests).toHaveLength(1);
    const pdf = Buffer.alloc(5 * 1024 * 1024, 1).toString('base64');
    const err = await withPart({ type: 'file', file: { file_data: `data:application/pdf;base64,${pdf}`, filename: 'big.pdf' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('insufficient_quota');
    expect(mock.requests).toHaveLength(1);
  });
});
