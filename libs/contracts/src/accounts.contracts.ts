import { z } from 'zod';

/**
 * Accounts (auth.account.v1): who may sign in to the console and what a signed-in user may do with its own data. The
 * gateway asks; auth owns users, password hashes, TOTP secrets and backup codes.
 */

/** `user` reaches only /api/me/*; `admin` the admin API; `root` also manages admins and roots. */
export const ROLES = ['root', 'admin', 'user'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Usernames travel in audit records and URLs: plain characters, as an admin would type them. */
export const Username = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'must be letters, digits, "_", ".", "@" or "-"');
/** Long passphrases welcome; the bound keeps hashing cheap for a refused request. */
export const Password = z.string().min(8, 'must be at least 8 characters').max(256, 'must be at most 256 characters');
/** A 6-digit TOTP code or a backup code (XXXXX-XXXXX). */
export const SecondFactor = z.string().trim().min(6).max(16);

/** `POST /api/session` with a password (the `{ adminKey }` form stays). */
export const PasswordSignIn = z
  .object({ username: z.string().trim().min(1, 'required').max(128), password: z.string().min(1, 'required').max(256), totp: SecondFactor.optional() })
  .strict();
/** `POST /api/auth/register`. */
export const Register = z.object({ username: Username, password: Password }).strict();
/** `POST /api/me/tokens`: only limits that narrow what the user already has (no group, no rate limits above its own). */
export const CreateOwnToken = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(128).default('default'),
    expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time' }).nullable().default(null),
    quota: z.number().finite().min(0, 'must not be negative').max(1_000_000_000).nullable().default(null),
    models: z.array(z.string().trim().min(1).max(256)).min(1, 'use null for every model').max(1000).nullable().default(null),
  })
  .strict();
/**
 * `POST /api/me/password`: the current password (absent only for an account that has none yet, e.g. made by OIDC), the
 * new one under the registration policy, and the TOTP or a backup code when 2FA is on.
 */
export const ChangePassword = z
  .object({ currentPassword: z.string().min(1, 'required').max(256).optional(), newPassword: Password, totp: SecondFactor.optional() })
  .strict();
/** `POST /api/me/2fa/enable|disable`, `/api/me/2fa/backup-codes`: a current code proves the authenticator. */
export const TotpCode = z.object({ code: SecondFactor }).strict();

/** A signed-in person as the gateway needs it for every request (role checked on each). */
export const AccountPrincipal = z.object({
  id: z.number().int(),
  name: z.string(),
  role: Role,
  /** raised when the password changes: a session made under an older one has ended */
  sessionEpoch: z.number().int(),
  /** the user's organisation; null = the platform. An admin with one is an org admin (only its org's users and tokens) */
  orgId: z.number().int().nullable().optional(),
});
export type AccountPrincipal = z.infer<typeof AccountPrincipal>;

/** The requests of auth.account.v1, by `op`. Each `userId` is the gateway's signed-in user, never a client's value. */
export const AccountRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('login'), username: z.string(), password: z.string(), totp: z.string().optional() }),
  z.object({ op: z.literal('register'), username: z.string(), password: z.string() }),
  z.object({ op: z.literal('whoami'), userId: z.number().int() }),
  z.object({ op: z.literal('me'), userId: z.number().int() }),
  z.object({ op: z.literal('tokens.list'), userId: z.number().int() }),
  z.object({ op: z.literal('tokens.create'), userId: z.number().int(), body: z.unknown() }),
  z.object({ op: z.literal('tokens.delete'), userId: z.number().int(), tokenId: z.string() }),
  z.object({ op: z.literal('2fa.setup'), userId: z.number().int() }),
  z.object({ op: z.literal('2fa.enable'), userId: z.number().int(), body: z.unknown() }),
  z.object({ op: z.literal('2fa.disable'), userId: z.number().int(), body: z.unknown() }),
  z.object({ op: z.literal('2fa.backup-codes'), userId: z.number().int(), body: z.unknown() }),
  /** `recentSignIn`: the gateway's session began moments ago (what lets an account without a password set its first one) */
  z.object({ op: z.literal('password.change'), userId: z.number().int(), body: z.unknown(), recentSignIn: z.boolean() }),
  z.object({ op: z.literal('sessions.revoke'), userId: z.number().int() }),
]);
export type AccountRequest = z.infer<typeof AccountRequest>;

/** `GET /api/me`. */
export const MeView = z.object({
  id: z.number().int(),
  name: z.string(),
  role: Role,
  group: z.string(),
  status: z.string(),
  balance: z.number().nullable(),
  /** false for an account made by an OIDC sign-in (or an admin) without one: it may set its first after a fresh sign-in */
  hasPassword: z.boolean(),
  twoFactor: z.object({ enabled: z.boolean(), backupCodesLeft: z.number().int() }),
  tokens: z.object({ count: z.number().int(), max: z.number().int() }),
});
export type MeView = z.infer<typeof MeView>;

/** `POST /api/me/2fa/setup`: the secret and its otpauth:// URI (for the QR code), until enabled with a code. */
export const TotpSetup = z.object({ secret: z.string(), uri: z.string() });
/** Backup codes, shown once (only their hashes are kept). */
export const BackupCodes = z.object({ backupCodes: z.array(z.string()) });

/** The audit actor for a change a person made: `alice (#3)`; the admin key is `admin key`. */
export const actorOf = (p: { id: number; name: string } | null): string => (p ? `${p.name} (#${p.id})` : 'admin key');
