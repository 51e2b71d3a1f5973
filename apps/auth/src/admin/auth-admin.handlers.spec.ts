import { Subjects, adminRouteList } from '@switchboard/contracts';
import type { AuthAdminService } from './auth-admin.service';
import { authAdminHandlers } from './auth-admin.handlers';

const opsOf = (subject: string) =>
  adminRouteList()
    .filter((r) => r.subject === subject)
    .map((r) => r.op)
    .sort();

describe('authAdminHandlers (auth.admin.v1)', () => {
  it('has exactly one handler for each route of ADMIN_ROUTES the subject owns', () => {
    const handlers = authAdminHandlers({} as AuthAdminService);
    expect(opsOf(Subjects.AuthAdmin).length).toBeGreaterThan(0);
    expect(Object.keys(handlers).sort()).toEqual(opsOf(Subjects.AuthAdmin));
    for (const h of Object.values(handlers)) expect(typeof h).toBe('function');
  });
});
