import type { Answer, CallArgs } from '../../api/admin-client';
import { budgetBody, draftFromBudget, emptyBudgetDraft, sameBudget, type BudgetDraft } from '../budgets/budget-draft';

/** A user as `GET /api/users` lists it (with its token count). */
export type UserRow = Answer<'users.list'>['data'][number];
type CreateBody = NonNullable<CallArgs<'users.create'>['body']>;
type UpdateBody = NonNullable<CallArgs<'users.update'>['body']>;

/** What a number input holds: a number, '' when empty, or the half-typed text ('-', '1e'). */
export type NumberText = number | string;

/** The create/edit form as typed. An empty limit means "none"; the balance is ignored while `unlimited` is on. */
export interface UserDraft {
  name: string;
  group: string;
  unlimited: boolean;
  balance: NumberText;
  status: 'active' | 'disabled';
  rpm: NumberText;
  tpm: NumberText;
  maxConcurrency: NumberText;
  budget: BudgetDraft;
  role: 'root' | 'admin' | 'user';
  /** a new password; empty leaves it as it is */
  password: string;
  /** the organisation's id as the select holds it; '' = the platform */
  orgId: string;
}

export const emptyUserDraft: UserDraft = {
  name: '',
  group: 'default',
  unlimited: false,
  balance: 0,
  status: 'active',
  rpm: '',
  tpm: '',
  maxConcurrency: '',
  budget: emptyBudgetDraft,
  role: 'user',
  password: '',
  orgId: '',
};

/**
 * '' → null (no value); a number as it is; any other text is sent as typed, so the API refuses it with its own
 * message naming the field instead of the form guessing a number.
 */
export function numberOrNull(v: NumberText): number | null {
  if (typeof v === 'number') return v;
  const s = v.trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : (s as unknown as number);
}

export function draftFromUser(u: UserRow | Answer<'users.get'>): UserDraft {
  return {
    name: u.name,
    group: u.group,
    unlimited: u.balance === null,
    balance: u.balance ?? 0,
    status: u.status === 'disabled' ? 'disabled' : 'active',
    rpm: u.rpm ?? '',
    tpm: u.tpm ?? '',
    maxConcurrency: u.maxConcurrency ?? '',
    budget: draftFromBudget(u.budget),
    role: u.role,
    password: '',
    orgId: u.orgId === null ? '' : String(u.orgId),
  };
}

type Fields = Required<Omit<UpdateBody, 'password' | 'resetTwoFactor' | 'maxTokens'>>;

function fields(d: UserDraft): Fields {
  return {
    name: d.name.trim(),
    group: d.group.trim(),
    // An emptied balance box on a limited user is $0, not "unlimited": only the switch grants unlimited.
    balance: d.unlimited ? null : (numberOrNull(d.balance) ?? 0),
    status: d.status,
    rpm: numberOrNull(d.rpm),
    tpm: numberOrNull(d.tpm),
    maxConcurrency: numberOrNull(d.maxConcurrency),
    budget: budgetBody(d.budget),
    role: d.role,
    orgId: d.orgId === '' ? null : Number(d.orgId),
  };
}

/** No organisation chosen is left out: the platform for a root, the org admin's own org for an org admin. */
export function userDraftToCreateBody(d: UserDraft): CreateBody {
  const { orgId, ...rest } = fields(d);
  return { ...rest, ...(orgId === null ? {} : { orgId }), ...(d.password ? { password: d.password } : {}) };
}

/** Only what changed against the user as loaded: an edit does not overwrite a balance that usage moved meanwhile. */
export function userDraftToUpdateBody(before: UserDraft, d: UserDraft): UpdateBody {
  const was = fields(before);
  const now = fields(d);
  const body: Record<string, unknown> = {};
  for (const k of Object.keys(now) as (keyof Fields)[]) if (k === 'budget' ? !sameBudget(now.budget, was.budget) : !Object.is(now[k], was[k])) body[k] = now[k];
  if (d.password) body.password = d.password;
  return body;
}

/** A group as the user form needs it: its name and owning organisation (null = the platform's). */
export interface GroupOption {
  name: string;
  orgId: number | null;
}

/**
 * The groups a user of `draftOrgId` ('' = the platform) may be put in, as the auth service decides: an org admin
 * (`orgAdminOf`, its org) its org's groups and `default`; anyone else the platform's groups and that org's. The user's
 * current group stays, so opening the form never changes it.
 */
export function assignableGroups(groups: readonly GroupOption[], draftOrgId: string, orgAdminOf: number | null, current: string): string[] {
  const org = draftOrgId === '' ? null : Number(draftOrgId);
  const ok = (g: GroupOption) => (orgAdminOf !== null ? g.orgId === orgAdminOf : g.orgId === null || g.orgId === org);
  return [...new Set([...groups.filter(ok).map((g) => g.name), ...(orgAdminOf !== null ? ['default'] : []), current].filter(Boolean))].sort();
}
