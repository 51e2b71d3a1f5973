import { Subjects, adminRouteList } from '@switchboard/contracts';
import { billingAdminHandlers, type BillingAdminServices } from './billing-admin.handlers';

const opsOf = (subject: string) =>
  adminRouteList()
    .filter((r) => r.subject === subject)
    .map((r) => r.op)
    .sort();

describe('billingAdminHandlers (billing.admin.v1)', () => {
  it('has exactly one handler for each route of ADMIN_ROUTES the subject owns', () => {
    const handlers = billingAdminHandlers({} as BillingAdminServices);
    expect(opsOf(Subjects.BillingAdmin).length).toBeGreaterThan(0);
    expect(Object.keys(handlers).sort()).toEqual(opsOf(Subjects.BillingAdmin));
    for (const h of Object.values(handlers)) expect(typeof h).toBe('function');
  });
});
