import { AuditListQuery } from '@switchboard/contracts';
import type { AuditLog } from '@switchboard/db';
import type { AuditFilter, AuditLogs } from './audit-log.repository';
import { AuditQueryService } from './audit-query.service';

describe('AuditQueryService', () => {
  it('passes the filter and paging on, and answers entries with ids as numbers and times in ISO', async () => {
    const asked: [AuditFilter, number, number][] = [];
    const row: AuditLog = {
      id: 12n,
      actor: 'admin',
      action: 'update',
      entity: 'price',
      entityId: 'm',
      before: { input: 1 },
      after: { input: 2 },
      createdAt: new Date('2026-03-04T05:06:07.000Z'),
    };
    const audit: AuditLogs = {
      page: (filter, limit, offset) => {
        asked.push([filter, limit, offset]);
        return Promise.resolve({ rows: [row], total: 40 });
      },
    };
    const reply = await new AuditQueryService(audit).list(AuditListQuery.parse({ entity: 'price', to: '2026-03-05T00:00:00Z', offset: '20' }));
    expect(asked).toEqual([
      [{ entity: 'price', entityId: undefined, action: undefined, actor: undefined, from: undefined, to: new Date('2026-03-05T00:00:00Z') }, 50, 20],
    ]);
    expect(reply).toEqual({
      data: [
        {
          id: 12,
          actor: 'admin',
          action: 'update',
          entity: 'price',
          entityId: 'm',
          before: { input: 1 },
          after: { input: 2 },
          createdAt: '2026-03-04T05:06:07.000Z',
        },
      ],
      total: 40,
    });
  });

  it('refuses an unknown entity', () => {
    expect(AuditListQuery.safeParse({ entity: 'nope' }).success).toBe(false);
  });
});
