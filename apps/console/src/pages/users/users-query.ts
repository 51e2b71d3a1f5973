import type { CallArgs } from '../../api/admin-client';

export const USERS_PAGE_SIZE = 20;

/** The list's filters as they stand in the address (`/users?q=ann&group=vip&status=active&page=2`), so a view can be shared. */
export interface UsersFilter {
  search: string;
  group: string;
  status: '' | 'active' | 'disabled';
  page: number;
}

export function filterFromParams(p: URLSearchParams): UsersFilter {
  const status = p.get('status');
  const page = Number(p.get('page'));
  return {
    search: (p.get('q') ?? '').trim(),
    group: (p.get('group') ?? '').trim(),
    status: status === 'active' || status === 'disabled' ? status : '',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/** The address of a filter: empty values and page 1 are left out. A filter change goes back to page 1 (the caller's choice). */
export function paramsFromFilter(f: UsersFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (f.search) p.set('q', f.search);
  if (f.group) p.set('group', f.group);
  if (f.status) p.set('status', f.status);
  if (f.page > 1) p.set('page', String(f.page));
  return p;
}

export function listQuery(f: UsersFilter, size = USERS_PAGE_SIZE): NonNullable<CallArgs<'users.list'>['query']> {
  return {
    limit: size,
    offset: (f.page - 1) * size,
    ...(f.search ? { search: f.search } : {}),
    ...(f.group ? { group: f.group } : {}),
    ...(f.status ? { status: f.status } : {}),
  };
}

export const pageCount = (total: number, size = USERS_PAGE_SIZE) => Math.max(1, Math.ceil(total / size));

/** `/users/42` → 42 (the route gives the part after `/users/`); anything else → null (no detail open). */
export function userIdFromPath(rest: string | undefined): number | null {
  if (!rest || !/^\d{1,10}$/.test(rest)) return null;
  const id = Number(rest);
  return id >= 1 && id <= 2_147_483_647 ? id : null;
}
