import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(60_000);

type Admin = ReturnType<typeof adminClient>;
const micros = (usd: number) => BigInt(Math.round(usd * 1e6));

/** Redemption codes through the real gateway (standalone): create (audited), redeem once, refusals, concurrency. */
describe('redemption codes (standalone)', () => {
  let sys: System;
  let admin: Admin;
  let userId: number;
  let key: string;

  const redeem = (code: unknown, bearer = key) =>
    fetch(`${sys.url}/api/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  const balanceOf = async (id: number) => (await admin.get<{ balance: number }>(`/api/users/${id}`)).body.balance;

  beforeAll(async () => {
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    const user = await admin.post<{ id: number }>('/api/users', { name: 'redeemer', balance: 1.5 });
    expect(user.status).toBe(201);
    userId = user.body.id;
    const tok = await admin.post<{ key: string }>('/api/tokens', { name: 'redeemer-key', userId });
    expect(tok.status).toBe(201);
    key = tok.body.key;
  });

  afterAll(async () => {
    await sys?.stop();
  });

  it('creates a batch of codes and audits each as a redemption (code masked)', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const res = await admin.post<{ data: { id: number; code: string; value: number; expiresAt: string | null }[] }>('/api/redemptions', {
      value: 2.25,
      count: 3,
      expiresAt,
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toHaveLength(3);
    for (const c of res.body.data) {
      expect(c.code).toMatch(/^rc-[A-Za-z0-9]{32}$/);
      expect(c.value).toBe(2.25);
      expect(c.expiresAt).toBe(expiresAt);
    }
    expect(new Set(res.body.data.map((c) => c.code)).size).toBe(3);
    const audit = await admin.get<{ data: { action: string; entity: string; entityId: string; after: { code: string; value: number } }[] }>(
      '/api/audit?entity=redemption&limit=10',
    );
    expect(audit.status).toBe(200);
    const ids = res.body.data.map((c) => String(c.id));
    const mine = audit.body.data.filter((a) => ids.includes(a.entityId));
    expect(mine).toHaveLength(3);
    for (const a of mine) {
      expect(a.action).toBe('create');
      expect(a.after.value).toBe(2.25);
      expect(a.after.code).toMatch(/^rc-.{4}….{4}$/);
    }
    expect(JSON.stringify(audit.body)).not.toContain(res.body.data[0].code);
  });

  it('validates the batch', async () => {
    expect((await admin.post('/api/redemptions', { value: -1, count: 1 })).status).toBe(400);
    expect((await admin.post('/api/redemptions', { value: 1, count: 0 })).status).toBe(400);
    const past = await admin.post<{ error: { message: string } }>('/api/redemptions', { value: 1, count: 1, expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toMatch(/expiresAt/);
  });

  it("credits the token's user exactly once, with a redemption ledger entry", async () => {
    const before = await balanceOf(userId);
    expect(before).toBe(1.5);
    const { body } = await admin.post<{ data: { id: number; code: string }[] }>('/api/redemptions', { value: 0.333333, count: 1 });
    const { id, code } = body.data[0];
    const first = await redeem(code);
    expect(first).toEqual({ status: 200, body: { balance: 1.833333 } });
    expect(await balanceOf(userId)).toBe(1.833333);
    const again = await redeem(code);
    expect(again.status).toBe(400);
    expect(String((again.body.error as { message: string }).message)).toMatch(/already been used/);
    expect(await balanceOf(userId)).toBe(1.833333);
    const ledger = await admin.get<{ data: { kind: string; amount: number; requestId: string; tokenId: number | null }[]; total: number }>(
      `/api/ledger?userId=${userId}&kind=redemption`,
    );
    expect(ledger.body.total).toBe(1);
    expect(ledger.body.data[0]).toMatchObject({ kind: 'redemption', amount: 0.333333, requestId: `redemption:${id}` });
    const listed = await admin.get<{ data: { id: number; status: string; usedByUserId: number }[] }>('/api/redemptions?status=used');
    expect(listed.body.data.find((r) => r.id === id)).toMatchObject({ status: 'used', usedByUserId: userId });
  });

  it('refuses unknown and expired codes (400), the admin key and bad keys (401)', async () => {
    const unknown = await redeem('rc-doesnotexist');
    expect(unknown.status).toBe(400);
    expect(String((unknown.body.error as { message: string }).message)).toMatch(/unknown/);
    expect((await redeem('')).status).toBe(400);

    const { body } = await admin.post<{ data: { code: string }[] }>('/api/redemptions', {
      value: 5,
      count: 1,
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    const code = body.data[0].code;
    expect((await redeem(code, sys.adminKey)).status).toBe(401); // the admin key never redeems
    expect((await redeem(code, 'sk-not-a-real-key')).status).toBe(401);
    const noAuth = await fetch(`${sys.url}/api/redeem`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(noAuth.status).toBe(401);
    await eventually(
      async () => {
        const r = await admin.get<{ data: { status: string }[] }>('/api/redemptions?status=expired');
        return r.body.data.length > 0;
      },
      5_000,
      'the code to expire',
    );
    const expired = await redeem(code);
    expect(expired.status).toBe(400);
    expect(String((expired.body.error as { message: string }).message)).toMatch(/expired/);
  });

  it('credits once when 20 clients redeem the same code at the same time', async () => {
    const before = await balanceOf(userId);
    const { body } = await admin.post<{ data: { id: number; code: string }[] }>('/api/redemptions', { value: 10, count: 1 });
    const { id, code } = body.data[0];
    const results = await Promise.all(Array.from({ length: 20 }, () => redeem(code)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(19);
    expect(await balanceOf(userId)).toBeCloseTo(before + 10, 6);
    expect(ok[0].body.balance).toBe(await balanceOf(userId));
    const ledger = await admin.get<{ total: number }>(`/api/ledger?requestId=redemption:${id}`);
    expect(ledger.body.total).toBe(1);
  });

  it('keeps balances derived from the ledger (admin balance edits are adjustments) and reconciles', async () => {
    const before = await admin.get<{ sum: number }>(`/api/ledger?userId=${userId}&limit=1`);
    expect((await admin.patch(`/api/users/${userId}`, { balance: 3 })).status).toBe(200);
    expect((await admin.post(`/api/users/${userId}/topup`, { amount: 0.5 })).status).toBe(200);
    const after = await admin.get<{ sum: number; data: { kind: string; amount: number }[] }>(`/api/ledger?userId=${userId}&limit=1`);
    expect(after.body.data[0]).toMatchObject({ kind: 'topup', amount: 0.5 });
    expect(micros(after.body.sum) - micros(before.body.sum)).toBe(500_000n); // the PATCH is not a ledger entry
    expect(await balanceOf(userId)).toBe(3.5);
    const rec = await admin.get<{ consistent: boolean; users: { checked: number; drifted: number }; tokens: { drifted: number } }>(
      '/api/ledger/reconciliation',
    );
    expect(rec.status).toBe(200);
    expect(rec.body).toMatchObject({ consistent: true, users: { drifted: 0 }, tokens: { drifted: 0 } });
    expect(rec.body.users.checked).toBeGreaterThanOrEqual(1);
  });
});
