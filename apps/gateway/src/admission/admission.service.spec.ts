import { DomainError } from '@switchboard/contracts';
import { MemoryLimitStore } from '@switchboard/limits';
import { token } from '../auth/verified-token.fixture';
import type { BudgetGuard } from '../budgets/budget-guard';
import { AdmissionService } from './admission.service';

const noBudgets = { accounts: () => null } as unknown as BudgetGuard;
const limits = (rpm: number | null, tpm: number | null = null) => ({ rpm, tpm, maxConcurrency: null });

describe('AdmissionService', () => {
  let admission: AdmissionService;
  let n = 0;
  beforeEach(() => {
    admission = new AdmissionService(new MemoryLimitStore(), noBudgets);
  });
  const admit = (t: ReturnType<typeof token>) => admission.admit(`req-${n++}`, t, null, 10, 10);
  const status = (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (e: unknown) => (e as DomainError).status,
    );

  it('answers x-ratelimit-* for the tightest scope: the group for requests, the user for tokens', async () => {
    const t = token({ limits: limits(5), group: { name: 'g', priceRatio: 1, limits: limits(2), budget: null } }, { limits: limits(null, 1000) });
    const a = await admit(t);
    expect(a.headers).toMatchObject({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '980',
    });
    expect(a.headers['x-ratelimit-reset-requests']).toMatch(/^\d+s$/);
    expect((await admit(t)).headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(await status(admit(t))).toBe(429);
  });

  it('answers no header for a key without limits', async () => {
    expect((await admit(token())).headers).toEqual({});
  });

  it('applies the limits of the token object it is given: a changed token (a new object, same id) counts at once', async () => {
    const before = token({ limits: limits(5) });
    await admit(before);
    await admit(before);
    const after = token({ limits: limits(2) });
    expect(await status(admit(after))).toBe(429);
    expect(await status(admit(before))).toBe(200);
  });
});
