import { Subjects } from '@switchboard/contracts';
import { AdminDispatcher } from '@switchboard/messaging';
import { logWriterAdminHandlers, type LogWriterAdminServices } from './log-writer-admin.handlers';

describe('logWriterAdminHandlers (logs.admin.v1)', () => {
  it('has exactly one handler for each route of ADMIN_ROUTES the subject owns (the dispatcher checks at construction)', () => {
    expect(() => new AdminDispatcher(Subjects.LogsAdmin, logWriterAdminHandlers({} as LogWriterAdminServices))).not.toThrow();
  });
});
