/** The audit list's filters and page in the URL (`/audit?entity=channel&action=update&page=2`), as on /logs. */
export const AUDIT_ENTITIES = ['channel', 'token', 'user', 'group', 'price', 'alias', 'redemption', 'plugin', 'alert_channel', 'mcp-server'] as const;
export const AUDIT_ACTIONS = ['create', 'update', 'delete'] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditFilter {
  entity?: AuditEntity;
  action?: AuditAction;
  actor?: string;
  entityId?: string;
}

export interface AuditView extends AuditFilter {
  /** 1-based */
  page: number;
}

const oneOf = <T extends string>(list: readonly T[], v: string | null): T | undefined => ((list as readonly string[]).includes(v ?? '') ? (v as T) : undefined);
const text = (v: string | null) => v?.trim() || undefined;

export function readAuditView(search: URLSearchParams): AuditView {
  const page = Number(search.get('page'));
  const v: AuditView = { page: Number.isSafeInteger(page) && page >= 1 ? page : 1 };
  const entity = oneOf(AUDIT_ENTITIES, search.get('entity'));
  if (entity) v.entity = entity;
  const action = oneOf(AUDIT_ACTIONS, search.get('action'));
  if (action) v.action = action;
  const actor = text(search.get('actor'));
  if (actor) v.actor = actor;
  const entityId = text(search.get('entityId'));
  if (entityId) v.entityId = entityId;
  return v;
}

/** The query string; page 1 is left out, so `/audit` and `/audit?page=1` are one URL. */
export function writeAuditView(v: AuditView): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of ['entity', 'action', 'actor', 'entityId'] as const) if (v[k]) out.set(k, v[k]);
  if (v.page > 1) out.set('page', String(v.page));
  return out;
}

/** The API query of a view: limit and offset of its page. */
export function auditQuery(v: AuditView, pageSize: number) {
  const { page, ...filter } = v;
  return { ...filter, limit: pageSize, offset: (page - 1) * pageSize };
}

export const pageCount = (total: number, pageSize: number) => Math.max(1, Math.ceil(total / pageSize));
