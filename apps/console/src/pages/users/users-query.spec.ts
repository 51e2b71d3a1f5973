import { filterFromParams, listQuery, pageCount, paramsFromFilter, userIdFromPath } from './users-query';

describe('users list address', () => {
  it('reads the filters of the address, ignoring what is not one', () => {
    expect(filterFromParams(new URLSearchParams('q=%20ann%20&group=vip&status=disabled&page=3'))).toEqual({
      search: 'ann',
      group: 'vip',
      status: 'disabled',
      page: 3,
    });
    expect(filterFromParams(new URLSearchParams('status=gone&page=-1'))).toEqual({ search: '', group: '', status: '', page: 1 });
    expect(filterFromParams(new URLSearchParams('page=1.5')).page).toBe(1);
  });

  it('writes only the filters that are set, and round-trips', () => {
    expect(paramsFromFilter({ search: '', group: '', status: '', page: 1 }).toString()).toBe('');
    const f = { search: 'a b', group: 'vip', status: 'active' as const, page: 2 };
    expect(paramsFromFilter(f).toString()).toBe('q=a+b&group=vip&status=active&page=2');
    expect(filterFromParams(paramsFromFilter(f))).toEqual(f);
  });

  it('asks the API for the page of the filter', () => {
    expect(listQuery({ search: '', group: '', status: '', page: 1 })).toEqual({ limit: 20, offset: 0 });
    expect(listQuery({ search: 'ann', group: 'vip', status: 'disabled', page: 3 }, 10)).toEqual({
      limit: 10,
      offset: 20,
      search: 'ann',
      group: 'vip',
      status: 'disabled',
    });
  });

  it('counts pages (at least one, for the empty list)', () => {
    expect([pageCount(0), pageCount(20), pageCount(21)]).toEqual([1, 1, 2]);
  });

  it('opens the detail of /users/<id> only for an id', () => {
    expect([
      userIdFromPath('42'),
      userIdFromPath(''),
      userIdFromPath(undefined),
      userIdFromPath('4x'),
      userIdFromPath('0'),
      userIdFromPath('9999999999'),
    ]).toEqual([42, null, null, null, null, null]);
  });
});
