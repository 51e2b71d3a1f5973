import { isPlainUsageRecord } from './usage-record.fast-check';
import { UsageRecord } from './usage.contracts';

const base: Record<string, unknown> = {
  requestId: 'req_1',
  createdAt: '2026-12-06T17:45:00.636Z',
  tokenId: 3,
  userId: 1,
  group: 'default',
  model: 'gpt-4o-mini',
  upstreamModel: 'gpt-4o-mini',
  channelId: 2,
  protocol: 'openai-chat',
  upstreamProtocol: 'anthropic',
  stream: false,
  status: 200,
  promptTokens: 12,
  completionTokens: 30,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costMicros: 1234,
  latencyMs: 5,
  ttftMs: null,
  attempts: 1,
  error: null,
  reservedMicros: 2000,
  endpoint: 'chat.completions',
  units: null,
  keyAttempts: [
    { keyId: 4, ok: false },
    { keyId: 5, ok: true },
  ],
  plugins: null,
  bodies: null,
};

/** Values tried in every field: each type's edges, and wrong types. */
const probes: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  2147483647,
  2147483648,
  2 ** 53,
  NaN,
  Infinity,
  '',
  'x',
  'x'.repeat(65),
  true,
  false,
  [],
  {},
  'openai-chat',
  'bogus-protocol',
  '2026-12-06T17:45:00Z',
  '2026-13-06T17:45:00.000Z',
  '2026-12-06T17:45:00.000+01:00',
  '2026-12-06 17:45:00',
  { images: 2 },
  { images: -1 },
  { images: 1, bogus: 1 },
  { audioSeconds: 1.5, characters: 10, searchUnits: 1 },
  [{ keyId: 1, ok: true }],
  [{ keyId: -1, ok: true }],
  [{ keyId: 1, ok: 'yes' }],
  [{ keyId: 1, ok: true, extra: 1 }],
  [null],
  Array.from({ length: 65 }, (_, i) => ({ keyId: i, ok: true })),
  { cache: 'hit' },
  { cache: 'hit', 'stream-fake': 'applied' },
  { cache: '' },
  { cache: 'x'.repeat(33) },
  { cache: 1 },
  { bogus: 'hit' },
];

function agrees(record: Record<string, unknown>): void {
  const fast = isPlainUsageRecord(record);
  const parsed = UsageRecord.safeParse(record);
  // The fast path may defer to zod (false) but never accepts what zod rejects or would change.
  if (fast) {
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(record);
  }
}

describe('isPlainUsageRecord', () => {
  it('accepts the records the relay publishes', () => {
    expect(isPlainUsageRecord(base)).toBe(true);
    expect(isPlainUsageRecord({ ...base, units: { images: 2, audioSeconds: 3.5 }, upstreamProtocol: null, ttftMs: 12, error: 'x' })).toBe(true);
    expect(isPlainUsageRecord({ ...base, channelId: null, attempts: 0, keyAttempts: [], plugins: { cache: 'hit' } })).toBe(true);
    expect(isPlainUsageRecord({ ...base, bodies: { request: '{}', response: null, truncated: true } })).toBe(true);
  });

  it.each(Object.keys(base))('never accepts what the schema rejects or rewrites in %s', (field) => {
    for (const v of probes) agrees({ ...base, [field]: v });
    const without = { ...base };
    delete without[field];
    agrees(without);
    expect(isPlainUsageRecord(without)).toBe(false);
  });

  it('defers unknown keys and non-plain objects to the schema', () => {
    expect(isPlainUsageRecord({ ...base, extra: 1 })).toBe(false);
    expect(isPlainUsageRecord(Object.assign(Object.create({ inherited: 1 }), base))).toBe(false);
    expect(isPlainUsageRecord([base])).toBe(false);
  });

  it('rejects each field type the schema rejects', () => {
    for (const [field, bad] of [
      ['requestId', ''],
      ['tokenId', -1],
      ['status', 1000],
      ['costMicros', 1.5],
      ['protocol', 'bogus'],
      ['endpoint', 'x'.repeat(65)],
      ['units', { bogus: 1 }],
      ['keyAttempts', [{ keyId: 1 }]],
      ['plugins', { bogus: 'hit' }],
      ['bodies', { request: '{}', response: null }],
      ['bodies', { request: 1, response: null, truncated: false }],
    ] as const) {
      expect(isPlainUsageRecord({ ...base, [field]: bad })).toBe(false);
      expect(UsageRecord.safeParse({ ...base, [field]: bad }).success).toBe(false);
    }
  });
});
