import type { OrgAdminService } from '../orgs/org-admin.service';
import type { AuthAdminService } from './auth-admin.service';
import { authAdminDispatcher } from './auth-admin.handlers';

describe('authAdminHandlers (auth.admin.v1)', () => {
  it('has exactly one handler for each route of ADMIN_ROUTES the subject owns (the dispatcher checks at construction)', () => {
    expect(() => authAdminDispatcher({} as AuthAdminService, {} as OrgAdminService)).not.toThrow();
  });
});
