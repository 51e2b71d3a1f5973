import type { Answer, CallArgs } from '../../api/admin-client';
import { budgetBody, draftFromBudget, emptyBudgetDraft, type BudgetDraft } from '../budgets/budget-draft';

export type TokenView = Answer<'tokens.get'>;
type CreateBody = NonNullable<CallArgs<'tokens.create'>['body']>;
type UpdateBody = NonNullable<CallArgs<'tokens.update'>['body']>;

/** A NumberInput's value: a number, or '' while empty (= "none"). */
export type NumberField = number | string;

/** The create/edit form as the inputs hold it; `''` in a limit means "no limit of its own". */
export interface TokenDraft {
  name: string;
  /** a user id as the Select holds it; null = the built-in admin user */
  userId: string | null;
  /** null = the user's group */
  group: string | null;
  neverExpires: boolean;
  /** `YYYY-MM-DDTHH:mm` in the browser's time zone (a datetime-local input) */
  expiresAt: string;
  unlimitedQuota: boolean;
  quota: NumberField;
  /** empty = every model */
  models: string[];
  allowIps: string[];
  rpm: NumberField;
  tpm: NumberField;
  maxConcurrency: NumberField;
  crossGroupRetry: boolean;
  budget: BudgetDraft;
  /** its requests log their bodies */
  logBodies: boolean;
}

export const emptyTokenDraft: TokenDraft = {
  name: '',
  userId: null,
  group: null,
  neverExpires: true,
  expiresAt: '',
  unlimitedQuota: true,
  quota: '',
  models: [],
  allowIps: [],
  rpm: '',
  tpm: '',
  maxConcurrency: '',
  crossGroupRetry: false,
  budget: emptyBudgetDraft,
  logBodies: false,
};

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO time → the datetime-local value showing it in the browser's zone. */
export function isoToLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the browser's zone) → ISO-8601 in UTC; what cannot be read is passed on for the API to refuse by name. */
export function localInputToIso(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

/** '' (or a non-number) → null: the field was left empty. NumberInput hands back strings for partial input like "-". */
export function numberOrNull(v: NumberField): number | null {
  if (v === '' || v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

const clean = (list: string[]) => list.map((s) => s.trim()).filter(Boolean);

/** The fields create and update share, as the API names them. */
function common(d: TokenDraft) {
  return {
    name: d.name.trim(),
    group: d.group || null,
    expiresAt: d.neverExpires ? null : localInputToIso(d.expiresAt),
    quota: d.unlimitedQuota ? null : numberOrNull(d.quota),
    models: clean(d.models).length ? clean(d.models) : null,
    allowIps: clean(d.allowIps),
    rpm: numberOrNull(d.rpm),
    tpm: numberOrNull(d.tpm),
    maxConcurrency: numberOrNull(d.maxConcurrency),
    crossGroupRetry: d.crossGroupRetry,
    budget: budgetBody(d.budget),
    logBodies: d.logBodies,
  };
}

export function draftToCreateBody(d: TokenDraft): CreateBody {
  const body: CreateBody = common(d);
  if (d.userId) body.userId = Number(d.userId);
  return body;
}

/** Every editable field is sent: the form shows them all, so what is on screen is what is saved. A token's user is fixed. */
export function draftToUpdateBody(d: TokenDraft): UpdateBody {
  return common(d);
}

export function tokenToDraft(t: TokenView): TokenDraft {
  const num = (v: number | null) => (v === null ? '' : v);
  return {
    name: t.name,
    userId: String(t.userId),
    group: t.group,
    neverExpires: t.expiresAt === null,
    expiresAt: isoToLocalInput(t.expiresAt),
    unlimitedQuota: t.quota === null,
    quota: num(t.quota),
    models: t.models ?? [],
    allowIps: t.allowIps,
    rpm: num(t.rpm),
    tpm: num(t.tpm),
    maxConcurrency: num(t.maxConcurrency),
    crossGroupRetry: t.crossGroupRetry,
    budget: draftFromBudget(t.budget),
    logBodies: t.logBodies,
  };
}

/** The share of the quota used, 0..100 for a progress bar; null when the quota is unlimited. */
export function quotaPercent(usedQuota: number, quota: number | null): number | null {
  if (quota === null) return null;
  if (quota <= 0) return usedQuota > 0 ? 100 : 0;
  return Math.min(100, Math.max(0, (usedQuota / quota) * 100));
}

/**
 * The form field a 400 names: the API answers `"<field>: <why>"` (`quota: must not be negative`, `allowIps.1: …`),
 * so the message can sit under the input it is about. null when it names none of the form's fields.
 */
export function fieldOfError(message: string): keyof TokenDraft | null {
  const m = /^([A-Za-z]+)(?:\.\d+)*:/.exec(message);
  if (!m) return null;
  return m[1] in emptyTokenDraft ? (m[1] as keyof TokenDraft) : null;
}
