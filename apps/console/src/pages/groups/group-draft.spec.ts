import { emptyBudgetDraft } from '../budgets/budget-draft';
import { draftFromGroup, emptyGroupDraft, groupDraftToCreateBody, groupDraftToUpdateBody, type GroupRow } from './group-draft';

const row: GroupRow = {
  name: 'vip',
  priceRatio: 2,
  rpm: 100,
  tpm: null,
  maxConcurrency: null,
  budget: null,
  logBodies: false,
  orgId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  userCount: 3,
  tokenCount: 5,
};

describe('group drafts', () => {
  it('creates with a trimmed name, the ratio, and null for empty limits', () => {
    expect(groupDraftToCreateBody({ ...emptyGroupDraft, name: ' vip ', priceRatio: 2, rpm: 60 })).toEqual({
      name: 'vip',
      priceRatio: 2,
      rpm: 60,
      tpm: null,
      maxConcurrency: null,
      budget: null,
      logBodies: false,
      orgId: null,
    });
    expect(groupDraftToCreateBody({ ...emptyGroupDraft, name: 'x', orgId: '4' }).orgId).toBe(4);
    expect(groupDraftToCreateBody({ ...emptyGroupDraft, name: 'x', priceRatio: '' }).priceRatio).toBe(1);
    // Half-typed text goes to the API, which names the field it refuses.
    expect(groupDraftToCreateBody({ ...emptyGroupDraft, name: 'x', priceRatio: '-' }).priceRatio).toBe('-');
  });

  it('edits send only what changed; clearing a limit sends null', () => {
    const before = draftFromGroup(row);
    expect(before).toEqual({ name: 'vip', priceRatio: 2, rpm: 100, tpm: '', maxConcurrency: '', budget: emptyBudgetDraft, logBodies: false, orgId: '' });
    expect(groupDraftToUpdateBody(before, { ...before, budget: { enabled: true, amount: 50, period: 'month', softLimit: '' } })).toEqual({
      budget: { amount: 50, period: 'month', softLimit: null },
    });
    expect(groupDraftToUpdateBody(before, before)).toEqual({});
    expect(groupDraftToUpdateBody(before, { ...before, priceRatio: 1.5, rpm: '' })).toEqual({ priceRatio: 1.5, rpm: null });
    expect(groupDraftToUpdateBody(before, { ...before, tpm: 5000, name: 'renamed' })).toEqual({ tpm: 5000 });
    expect(groupDraftToUpdateBody(before, { ...before, logBodies: true })).toEqual({ logBodies: true });
    expect(groupDraftToUpdateBody(before, { ...before, orgId: '3' })).toEqual({ orgId: 3 });
  });
});
