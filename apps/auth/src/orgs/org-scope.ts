/**
 * The isolation rule of organisations: an asker confined to an org (an org admin, `actorOrgId`) sees a row only when
 * the row (a group) or its user (a user, token, log) belongs to that org; a platform asker (null: roots, platform admins, the admin key) sees every row.
 * Out of scope reads as absent (404), so another org's ids do not leak.
 */
export const inOrgScope = (actorOrgId: number | null, rowOrgId: number | null): boolean => actorOrgId === null || rowOrgId === actorOrgId;

/** The org a user created by `actorOrgId` lands in: an org admin's always in its own, a platform asker's where it says. */
export const orgForNewUser = (actorOrgId: number | null, requested: number | null): number | null => actorOrgId ?? requested;

/** The group every user starts in: an org admin may always put its users and tokens there. */
export const DEFAULT_GROUP = 'default';

/**
 * Why `group` may not hold a user (or a token of a user) of `subjectOrgId`, or null when it may. An org admin
 * (`actorOrgId`) assigns only its own org's groups and `default`; anyone else keeps an org's group to that org's users
 * (a platform group holds anyone). One message for "absent" and "another org's", so names do not leak across orgs.
 */
export function groupAssignmentProblem(
  actorOrgId: number | null,
  subjectOrgId: number | null,
  group: { name: string; orgId: number | null } | null,
  name: string,
): string | null {
  if (actorOrgId !== null) {
    if (name === DEFAULT_GROUP && group) return null;
    return group?.orgId === actorOrgId ? null : `group: "${name}" is not a group of your organisation (use one of its groups or "${DEFAULT_GROUP}")`;
  }
  if (!group) return `group: "${name}" does not exist`;
  if (group.orgId !== null && group.orgId !== subjectOrgId) return `group: "${name}" belongs to another organisation than the user's`;
  return null;
}

/** The first field of `body` an org admin may not set (platform decisions: routing, prices, ownership), if any. */
export function orgAdminForbiddenField(actorOrgId: number | null, body: object, fields: readonly string[]): string | null {
  if (actorOrgId === null) return null;
  return fields.find((f) => (body as Record<string, unknown>)[f] !== undefined) ?? null;
}
