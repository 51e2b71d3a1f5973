import { Subjects, adminRouteList } from '@switchboard/contracts';
import { logWriterAdminHandlers, type LogWriterAdminServices } from './log-writer-admin.handlers';

const opsOf = (subject: string) =>
  adminRouteList()
    .filter((r) => r.subject === subject)
    .map((r) => r.op)
    .sort();

describe('logWriterAdminHandlers (logs.admin.v1)', () => {
  it('has exactly one handler for each route of ADMIN_ROUTES the subject owns', () => {
    const handlers = logWriterAdminHandlers({} as LogWriterAdminServices);
    expect(opsOf(Subjects.LogsAdmin).length).toBeGreaterThan(0);
    expect(Object.keys(handlers).sort()).toEqual(opsOf(Subjects.LogsAdmin));
    for (const h of Object.values(handlers)) expect(typeof h).toBe('function');
  });
});
