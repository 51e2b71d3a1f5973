import { z } from 'zod';

/** One admin operation forwarded by the gateway's admin API to the service that owns the resource. */
export const AdminRequest = z.object({
  resource: z.string(),
  op: z.string(),
  id: z.string().optional(),
  /** a second path parameter (`/api/channels/:id/keys/:keyId` → the key's id) */
  subId: z.string().optional(),
  body: z.unknown().optional(),
  query: z.record(z.string(), z.string()).default({}),
  actor: z.string().default('admin'),
  /** the asker's role: only `root` (the admin key counts as root) manages admins and roots */
  actorRole: z.enum(['root', 'admin']).default('admin'),
  /** the asker's organisation: an org admin reads and changes only its org's users, tokens, logs and statistics */
  actorOrgId: z.number().int().nullable().optional(),
});
export type AdminRequest = z.infer<typeof AdminRequest>;
