import { Subjects, adminRouteList } from '@switchboard/contracts';
import type { ChannelAdminService } from './channel-admin.service';
import { channelAdminHandlers } from './channel-admin.handlers';

const opsOf = (subject: string) =>
  adminRouteList()
    .filter((r) => r.subject === subject)
    .map((r) => r.op)
    .sort();

describe('channelAdminHandlers (router.admin.v1)', () => {
  it('has exactly one handler for each route of ADMIN_ROUTES the subject owns', () => {
    const handlers = channelAdminHandlers({} as ChannelAdminService);
    expect(opsOf(Subjects.RouterAdmin).length).toBeGreaterThan(0);
    expect(Object.keys(handlers).sort()).toEqual(opsOf(Subjects.RouterAdmin));
    for (const h of Object.values(handlers)) expect(typeof h).toBe('function');
  });
});
