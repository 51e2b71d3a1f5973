import { z } from 'zod';
import { Subjects } from '../subjects';
import { ADMIN_ROUTES, adminRouteList } from './admin-routes';

const ADMIN_SUBJECTS: string[] = [Subjects.AuthAdmin, Subjects.RouterAdmin, Subjects.BillingAdmin, Subjects.LogsAdmin];
const routes = adminRouteList();

describe('ADMIN_ROUTES', () => {
  it('serves each method + path once, under /api, owned by an admin subject', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of routes) {
      expect([r.op, r.path]).toEqual([r.op, expect.stringMatching(/^\/api\//)]);
      expect([r.op, ADMIN_SUBJECTS.includes(r.subject)]).toEqual([r.op, true]);
      expect([r.op, r.op]).toEqual([r.op, expect.stringMatching(/^[a-z-]+\.[a-z]+$/)]);
    }
  });

  it('has schemas for what every route takes and answers', () => {
    for (const r of routes) {
      expect([r.op, r.answer instanceof z.ZodType]).toEqual([r.op, true]);
      // a path parameter has its schema, named as in the path (it travels on the bus as `id`)
      const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      expect([r.op, r.params ? Object.keys((r.params as z.ZodObject).shape) : []]).toEqual([r.op, names]);
      expect([r.op, names.length <= 2]).toEqual([r.op, true]);
      // every write reads a body; reads never do
      expect([r.op, r.body !== undefined]).toEqual([r.op, r.method !== 'GET' && r.method !== 'DELETE']);
      if (r.query) expect([r.op, r.method]).toEqual([r.op, 'GET']);
    }
  });

  it('names each request body once, for the OpenAPI components', () => {
    const names = routes.flatMap((r) => (r.body ? [r.body.name] : []));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['CreateUser', 'CreateToken', 'CreateChannel', 'TopUp', 'PutPrice', 'CreateRedemptions']));
  });

  it('answers 201 to creations and 200 to everything else', () => {
    for (const r of routes) expect([r.op, r.status]).toEqual([r.op, r.op.endsWith('.create') ? 201 : 200]);
  });

  it('reads the channel-test body leniently, as the route always has', () => {
    const body = ADMIN_ROUTES['channels.test'].body.schema;
    expect(body.parse({ model: 'm', extra: 1 })).toEqual({ model: 'm' });
    expect(body.parse([1])).toEqual({});
    expect(body.parse({ model: 5 })).toEqual({});
  });

  it('refuses a top-up that is not a positive amount of at most $1e9, naming the field', () => {
    const body = ADMIN_ROUTES['users.topup'].body.schema;
    expect(body.parse({ amount: 12.5 })).toEqual({ amount: 12.5 });
    for (const [amount, message] of [
      [0, 'must be positive'],
      [-5, 'must be positive'],
      [1e12, 'must be at most 1000000000'],
    ] as const) {
      const r = body.safeParse({ amount });
      expect([amount, r.error?.issues.map((i) => [i.path.join('.'), i.message])]).toEqual([amount, [['amount', message]]]);
    }
  });
  it('reads unit prices in USD, perImageBySize by size or quality:size, and refuses anything else naming the field', () => {
    const body = ADMIN_ROUTES['prices.put'].body.schema;
    expect(body.parse({ input: 0, output: 0 })).toMatchObject({
      perImage: null,
      perImageBySize: null,
      audioInputPerMinute: null,
      speechPerMillionChars: null,
      perSearchUnit: null,
    });
    const full = {
      perImage: 0.04,
      perImageBySize: { '1024x1024': 0.04, 'hd:1792x1024': 0.12 },
      audioInputPerMinute: 0.006,
      speechPerMillionChars: 15,
      perSearchUnit: 0.002,
    };
    expect(body.parse({ input: 0, output: 0, ...full })).toMatchObject(full);
    for (const [over, field, message] of [
      [{ perImage: -0.01 }, 'perImage', 'must not be negative'],
      [{ audioInputPerMinute: Number.POSITIVE_INFINITY }, 'audioInputPerMinute', ''],
      [{ speechPerMillionChars: 1e13 }, 'speechPerMillionChars', 'must be at most 1000000000'],
      [{ perSearchUnit: '0.002' }, 'perSearchUnit', ''],
      [{ perImageBySize: { large: 0.04 } }, 'perImageBySize.large', 'keys are sizes like "1024x1024" or "quality:size" like "hd:1024x1024"'],
      [{ perImageBySize: { 'hd:': 0.04 } }, 'perImageBySize.hd:', 'keys are sizes like "1024x1024" or "quality:size" like "hd:1024x1024"'],
      [{ perImageBySize: { '1024x1024': -1 } }, 'perImageBySize.1024x1024', 'must not be negative'],
      [{ perImageBySize: [0.04] }, 'perImageBySize', ''],
      [{ perImageBySize: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`${i + 1}x${i + 1}`, 1])) }, 'perImageBySize', 'at most 64 sizes'],
    ] as const) {
      const r = body.safeParse({ input: 0, output: 0, ...over });
      const issue = r.error?.issues[0];
      expect([field, issue?.path.join('.')]).toEqual([field, field]);
      if (message) expect(issue?.message).toBe(message);
    }
  });
});
