import { assignableGroups, draftFromUser, emptyUserDraft, numberOrNull, userDraftToCreateBody, userDraftToUpdateBody, type UserRow } from './user-draft';

const row: UserRow = {
  id: 7,
  name: 'ann',
  group: 'vip',
  balance: 12.5,
  status: 'active',
  rpm: 60,
  tpm: null,
  maxConcurrency: null,
  budget: { amount: 20, period: 'week', softLimit: null, spent: 3.5, periodStart: '2026-11-30T00:00:00.000Z', resetsAt: '2026-12-07T00:00:00.000Z' },
  builtin: false,
  role: 'user',
  hasPassword: false,
  twoFactor: false,
  maxTokens: null,
  orgId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  tokenCount: 2,
};

describe('user drafts', () => {
  it('creates with a trimmed name, the balance or null for unlimited, and null for empty limits', () => {
    expect(userDraftToCreateBody({ ...emptyUserDraft, name: ' ann ', balance: 5, rpm: 60 })).toEqual({
      name: 'ann',
      group: 'default',
      balance: 5,
      status: 'active',
      rpm: 60,
      tpm: null,
      maxConcurrency: null,
      budget: null,
      role: 'user',
    });
    expect(userDraftToCreateBody({ ...emptyUserDraft, name: 'x', role: 'admin', password: 'pw-123456' })).toMatchObject({
      role: 'admin',
      password: 'pw-123456',
    });
    expect(userDraftToCreateBody({ ...emptyUserDraft, name: 'x', unlimited: true, balance: 5 }).balance).toBeNull();
    expect(userDraftToCreateBody({ ...emptyUserDraft, name: 'x', balance: '' }).balance).toBe(0);
  });

  it('leaves text that is not a number for the API to refuse, by field', () => {
    expect(numberOrNull(' ')).toBeNull();
    expect(numberOrNull('12.5')).toBe(12.5);
    expect(numberOrNull('-')).toBe('-');
    expect(userDraftToCreateBody({ ...emptyUserDraft, name: 'x', rpm: '1e' }).rpm).toBe('1e');
  });

  it('edits send only the fields that changed', () => {
    const before = draftFromUser(row);
    expect(before).toEqual({
      name: 'ann',
      group: 'vip',
      unlimited: false,
      balance: 12.5,
      status: 'active',
      rpm: 60,
      tpm: '',
      maxConcurrency: '',
      budget: { enabled: true, amount: 20, period: 'week', softLimit: '' },
      role: 'user',
      password: '',
      orgId: '',
    });
    expect(userDraftToUpdateBody(before, before)).toEqual({});
    expect(userDraftToUpdateBody(before, { ...before, group: 'default', rpm: '', unlimited: true })).toEqual({ group: 'default', rpm: null, balance: null });
    expect(userDraftToUpdateBody(before, { ...before, status: 'disabled', tpm: 1000 })).toEqual({ status: 'disabled', tpm: 1000 });
    expect(userDraftToUpdateBody(before, { ...before, role: 'admin', password: 'new-password-1' })).toEqual({ role: 'admin', password: 'new-password-1' });
  });

  it('a budget is sent when it changed: switched off as null, else amount, period and soft limit', () => {
    const before = draftFromUser(row);
    expect(userDraftToUpdateBody(before, { ...before, budget: { ...before.budget, softLimit: 15 } })).toEqual({
      budget: { amount: 20, period: 'week', softLimit: 15 },
    });
    expect(userDraftToUpdateBody(before, { ...before, budget: { ...before.budget, enabled: false } })).toEqual({ budget: null });
    expect(userDraftToCreateBody({ ...emptyUserDraft, name: 'x', budget: { enabled: true, amount: '5', period: 'day', softLimit: '' } }).budget).toEqual({
      amount: 5,
      period: 'day',
      softLimit: null,
    });
  });

  it('reads an unlimited user as the switch on', () => {
    expect(draftFromUser({ ...row, balance: null })).toMatchObject({ unlimited: true, balance: 0 });
  });

  it('sends the organisation chosen (none is left out on create, null on edit moves the user to the platform)', () => {
    expect(userDraftToCreateBody({ ...emptyUserDraft, name: 'ann', orgId: '3' })).toMatchObject({ orgId: 3 });
    const before = draftFromUser({ ...row, orgId: 3 });
    expect(before.orgId).toBe('3');
    expect(userDraftToUpdateBody(before, { ...before, orgId: '' })).toEqual({ orgId: null });
    expect(userDraftToUpdateBody(before, before)).toEqual({});
  });

  it("offers only the groups the user may be put in: an org admin its org's and default, others the platform's and the user's org's", () => {
    const groups = [
      { name: 'default', orgId: null },
      { name: 'vip', orgId: null },
      { name: 'a-team', orgId: 1 },
      { name: 'b-team', orgId: 2 },
    ];
    expect(assignableGroups(groups.slice(2, 3), '', 1, 'default')).toEqual(['a-team', 'default']);
    expect(assignableGroups(groups, '1', null, 'default')).toEqual(['a-team', 'default', 'vip']);
    expect(assignableGroups(groups, '', null, 'default')).toEqual(['default', 'vip']);
    // the current group stays, even when it is no longer assignable
    expect(assignableGroups(groups, '', null, 'b-team')).toEqual(['b-team', 'default', 'vip']);
  });
});
