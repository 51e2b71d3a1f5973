import { Subjects } from '@switchboard/contracts';
import { AdminDispatcher } from '@switchboard/messaging';
import { billingAdminHandlers, type BillingAdminServices } from './billing-admin.handlers';

describe('billingAdminHandlers (billing.admin.v1)', () => {
  it('has exactly one handler for each route of ADMIN_ROUTES the subject owns (the dispatcher checks at construction)', () => {
    expect(() => new AdminDispatcher(Subjects.BillingAdmin, billingAdminHandlers({} as BillingAdminServices))).not.toThrow();
  });
});
