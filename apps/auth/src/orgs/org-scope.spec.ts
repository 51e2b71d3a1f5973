import { inOrgScope, orgForNewUser } from './org-scope';

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
});
