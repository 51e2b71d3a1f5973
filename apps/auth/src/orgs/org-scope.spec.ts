import { groupAssignmentProblem, inOrgScope, orgAdminForbiddenField, orgForNewUser } from './org-scope';

describe('org scope', () => {
  it("a platform asker sees every row; an org admin only its own org's, never the platform's", () => {
    expect(inOrgScope(null, null)).toBe(true);
    expect(inOrgScope(null, 3)).toBe(true);
    expect(inOrgScope(3, 3)).toBe(true);
    expect(inOrgScope(3, 4)).toBe(false);
    expect(inOrgScope(3, null)).toBe(false);
  });

  it("a new user lands in the org admin's org; a platform asker chooses", () => {
    expect(orgForNewUser(3, 4)).toBe(3);
    expect(orgForNewUser(3, null)).toBe(3);
    expect(orgForNewUser(null, 4)).toBe(4);
    expect(orgForNewUser(null, null)).toBeNull();
  });

  it("an org admin assigns its org's groups and default only, one message whether the group is absent or another's", () => {
    const g = (name: string, orgId: number | null) => ({ name, orgId });
    expect(groupAssignmentProblem(3, 3, g('mine', 3), 'mine')).toBeNull();
    expect(groupAssignmentProblem(3, 3, g('default', null), 'default')).toBeNull();
    const refused = 'group: "x" is not a group of your organisation (use one of its groups or "default")';
    expect(groupAssignmentProblem(3, 3, g('x', 4), 'x')).toBe(refused);
    expect(groupAssignmentProblem(3, 3, g('x', null), 'x')).toBe(refused);
    expect(groupAssignmentProblem(3, 3, null, 'x')).toBe(refused);
  });

  it("a platform asker puts anyone in a platform group, and only an org's users in that org's group", () => {
    const g = (orgId: number | null) => ({ name: 'x', orgId });
    expect(groupAssignmentProblem(null, null, g(null), 'x')).toBeNull();
    expect(groupAssignmentProblem(null, 4, g(null), 'x')).toBeNull();
    expect(groupAssignmentProblem(null, 4, g(4), 'x')).toBeNull();
    expect(groupAssignmentProblem(null, 3, g(4), 'x')).toBe('group: "x" belongs to another organisation than the user\'s');
    expect(groupAssignmentProblem(null, null, g(4), 'x')).toMatch(/another organisation/);
    expect(groupAssignmentProblem(null, null, null, 'x')).toBe('group: "x" does not exist');
  });

  it('names the first platform-only field an org admin sent; a platform asker may send any', () => {
    expect(orgAdminForbiddenField(3, { rpm: 1, priceRatio: 2 }, ['priceRatio', 'orgId'])).toBe('priceRatio');
    expect(orgAdminForbiddenField(3, { orgId: null }, ['priceRatio', 'orgId'])).toBe('orgId');
    expect(orgAdminForbiddenField(3, { rpm: 1, priceRatio: undefined }, ['priceRatio', 'orgId'])).toBeNull();
    expect(orgAdminForbiddenField(null, { priceRatio: 2 }, ['priceRatio', 'orgId'])).toBeNull();
  });
});
