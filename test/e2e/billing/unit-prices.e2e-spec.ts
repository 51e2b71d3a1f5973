import { adminClient, startStandalone, type System } from '../../support/harness';

jest.setTimeout(60_000);

type Admin = ReturnType<typeof adminClient>;
interface PriceView {
  model: string;
  input: number;
  perImage: number | null;
  perImageBySize: Record<string, number> | null;
  audioInputPerMinute: number | null;
  speechPerMillionChars: number | null;
  perSearchUnit: number | null;
  builtin: boolean;
}

/** Unit prices (SPEC §8) through the real admin API (standalone): PUT in USD, read back by GET, refused when malformed. */
describe('unit prices (standalone)', () => {
  let sys: System;
  let admin: Admin;
  const priceOf = async (model: string) => (await admin.get<{ data: PriceView[] }>('/api/prices')).body.data.find((p) => p.model === model);

  beforeAll(async () => {
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
  });

  afterAll(async () => {
    await sys?.stop();
  });

  it('prices images by size and quality:size, audio minutes, speech characters and search units, and reads them back in USD', async () => {
    const units = {
      perImage: 0.05,
      perImageBySize: { '1024x1024': 0.04, '1792x1024': 0.08, 'hd:1792x1024': 0.12 },
      audioInputPerMinute: 0.006,
      speechPerMillionChars: 15,
      perSearchUnit: 0.002,
    };
    const put = await admin.put<PriceView>('/api/prices/sb-image-model', { input: 0, output: 0, ...units });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ model: 'sb-image-model', ...units, builtin: false });
    expect(await priceOf('sb-image-model')).toEqual({
      model: 'sb-image-model',
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
      perRequest: 0,
      ...units,
      builtin: false,
    });

    // a PUT replaces the price: what it leaves out is free again
    expect((await admin.put('/api/prices/sb-image-model', { input: 1, output: 2, perImageBySize: { '512x512': 0.018 } })).status).toBe(200);
    expect(await priceOf('sb-image-model')).toMatchObject({
      input: 1,
      perImage: null,
      perImageBySize: { '512x512': 0.018 },
      audioInputPerMinute: null,
      speechPerMillionChars: null,
      perSearchUnit: null,
    });
    const audit = await admin.get<{ data: { entityId: string; action: string; before: PriceView; after: PriceView }[] }>(
      '/api/audit?entity=price&entityId=sb-image-model',
    );
    expect(audit.body.data.map((a) => [a.action, a.before?.perImageBySize ?? null, a.after.perImageBySize])).toEqual([
      ['update', units.perImageBySize, { '512x512': 0.018 }],
      ['create', null, units.perImageBySize],
    ]);
  });

  it('refuses malformed unit prices with a 400 naming the field, and changes nothing', async () => {
    for (const [body, field] of [
      [{ perImageBySize: { large: 0.04 } }, 'perImageBySize.large'],
      [{ perImageBySize: { '1024x1024': -1 } }, 'perImageBySize.1024x1024'],
      [{ perSearchUnit: -0.002 }, 'perSearchUnit'],
      [{ speechPerMillionChars: 'fifteen' }, 'speechPerMillionChars'],
    ] as const) {
      const r = await admin.put<{ error: { message: string } }>('/api/prices/sb-refused', { input: 0, output: 0, ...body });
      expect([field, r.status, r.body.error.message.startsWith(`${field}:`)]).toEqual([field, 400, true]);
    }
    expect(await priceOf('sb-refused')).toBeUndefined();
  });

  it('lists the built-in unit list prices: DALL·E 3 by quality and size, whisper per minute, tts per character, Cohere per search unit', async () => {
    expect(await priceOf('dall-e-3')).toMatchObject({
      builtin: true,
      perImageBySize: { '1024x1024': 0.04, '1792x1024': 0.08, 'hd:1024x1024': 0.08, 'hd:1792x1024': 0.12 },
    });
    expect(await priceOf('whisper-1')).toMatchObject({ audioInputPerMinute: 0.006, builtin: true });
    expect(await priceOf('tts-1-hd')).toMatchObject({ speechPerMillionChars: 30, builtin: true });
    expect(await priceOf('rerank-v3.5')).toMatchObject({ perSearchUnit: 0.002, builtin: true });
    expect(await priceOf('omni-moderation-latest')).toMatchObject({ input: 0, perImage: null, builtin: true });
  });
});
