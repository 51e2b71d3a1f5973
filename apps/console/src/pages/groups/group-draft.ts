import type { Answer, CallArgs } from '../../api/admin-client';
import { budgetBody, draftFromBudget, emptyBudgetDraft, sameBudget, type BudgetDraft } from '../budgets/budget-draft';
import { numberOrNull, type NumberText } from '../users/user-draft';

/** A group as `GET /api/groups` lists it (with its user and token counts). */
export type GroupRow = Answer<'groups.list'>['data'][number];
type CreateBody = NonNullable<CallArgs<'groups.create'>['body']>;
type UpdateBody = NonNullable<CallArgs<'groups.update'>['body']>;

/** The create/edit form as typed; an empty limit means none. The name is fixed once created (it is the group's key). */
export interface GroupDraft {
  name: string;
  priceRatio: NumberText;
  rpm: NumberText;
  tpm: NumberText;
  maxConcurrency: NumberText;
  budget: BudgetDraft;
  /** its tokens' requests log their bodies */
  logBodies: boolean;
  /** the owning organisation's id as the select holds it; '' = the platform (a root's choice, hidden from org admins) */
  orgId: string;
}

export const emptyGroupDraft: GroupDraft = {
  name: '',
  priceRatio: 1,
  rpm: '',
  tpm: '',
  maxConcurrency: '',
  budget: emptyBudgetDraft,
  logBodies: false,
  orgId: '',
};

export function draftFromGroup(g: GroupRow): GroupDraft {
  return {
    name: g.name,
    priceRatio: g.priceRatio,
    rpm: g.rpm ?? '',
    tpm: g.tpm ?? '',
    maxConcurrency: g.maxConcurrency ?? '',
    budget: draftFromBudget(g.budget),
    logBodies: g.logBodies,
    orgId: g.orgId === null ? '' : String(g.orgId),
  };
}

function fields(d: GroupDraft): Required<UpdateBody> {
  return {
    // An emptied ratio box is the default ratio, 1 (the column has no "none").
    priceRatio: numberOrNull(d.priceRatio) ?? 1,
    rpm: numberOrNull(d.rpm),
    tpm: numberOrNull(d.tpm),
    maxConcurrency: numberOrNull(d.maxConcurrency),
    budget: budgetBody(d.budget),
    logBodies: d.logBodies,
    orgId: d.orgId === '' ? null : Number(d.orgId),
  };
}

/** An org admin cannot create groups; its edits never carry the ratio or the owner (unchanged, so never sent). */
export function groupDraftToCreateBody(d: GroupDraft): CreateBody {
  return { name: d.name.trim(), ...fields(d) };
}

/** Only the fields that changed, so an edit never rewrites a limit someone else changed meanwhile. */
export function groupDraftToUpdateBody(before: GroupDraft, d: GroupDraft): UpdateBody {
  const was = fields(before);
  const now = fields(d);
  const body: Record<string, unknown> = {};
  for (const k of Object.keys(now) as (keyof UpdateBody)[])
    if (k === 'budget' ? !sameBudget(now.budget, was.budget) : !Object.is(now[k], was[k])) body[k] = now[k];
  return body;
}
