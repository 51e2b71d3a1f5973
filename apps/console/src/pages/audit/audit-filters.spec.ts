import { auditQuery, pageCount, readAuditView, writeAuditView } from './audit-filters';

describe('audit view in the URL', () => {
  it('reads the filters and page', () => {
    expect(readAuditView(new URLSearchParams('entity=channel&action=update&actor=admin&entityId=7&page=3'))).toEqual({
      entity: 'channel',
      action: 'update',
      actor: 'admin',
      entityId: '7',
      page: 3,
    });
  });

  it('drops what the API would refuse', () => {
    expect(readAuditView(new URLSearchParams('entity=planet&action=rename&page=-2&actor=%20'))).toEqual({ page: 1 });
    expect(readAuditView(new URLSearchParams('page=1.5'))).toEqual({ page: 1 });
  });

  it('writes a view back, page 1 left out', () => {
    expect(writeAuditView({ entity: 'token', page: 1 }).toString()).toBe('entity=token');
    expect(writeAuditView({ action: 'delete', page: 4 }).toString()).toBe('action=delete&page=4');
  });

  it('turns the page into limit and offset', () => {
    expect(auditQuery({ entity: 'user', page: 3 }, 25)).toEqual({ entity: 'user', limit: 25, offset: 50 });
    expect(pageCount(0, 25)).toBe(1);
    expect(pageCount(51, 25)).toBe(3);
  });
});
