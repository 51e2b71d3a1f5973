/**
 * The isolation rule of organisations: an asker confined to an org (an org admin, `actorOrgId`) sees a row only when
 * the row's user belongs to that org; a platform asker (null: roots, platform admins, the admin key) sees every row.
 * Out of scope reads as absent (404), so another org's ids do not leak.
 */
export const inOrgScope = (actorOrgId: number | null, rowOrgId: number | null): boolean => actorOrgId === null || rowOrgId === actorOrgId;

/** The org a user created by `actorOrgId` lands in: an org admin's always in its own, a platform asker's where it says. */
export const orgForNewUser = (actorOrgId: number | null, requested: number | null): number | null => actorOrgId ?? requested;
