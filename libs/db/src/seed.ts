import type { PrismaClient } from '../generated/client';

export const DEFAULT_GROUP = 'default';
export const ADMIN_USER_NAME = 'admin';

export interface SeedResult {
  /** the built-in admin user, owner of tokens created without a userId */
  adminUserId: number;
}

/**
 * Idempotent, and safe when several processes seed at once (INSERT … ON CONFLICT DO NOTHING):
 * the `default` group and the built-in `admin` user with unlimited balance. Existing rows are left as they are.
 */
export async function seed(prisma: PrismaClient): Promise<SeedResult> {
  await prisma.group.createMany({ data: [{ name: DEFAULT_GROUP }], skipDuplicates: true });
  await prisma.user.createMany({
    data: [{ name: ADMIN_USER_NAME, group: DEFAULT_GROUP, balanceMicros: null, status: 'active', builtin: true }],
    skipDuplicates: true,
  });
  const admin = await prisma.user.findUniqueOrThrow({ where: { name: ADMIN_USER_NAME }, select: { id: true } });
  return { adminUserId: admin.id };
}
