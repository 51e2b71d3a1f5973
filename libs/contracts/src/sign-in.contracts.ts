import { z } from 'zod';

/**
 * Sign-in methods beyond the password (auth.signin.v1). The gateway speaks OIDC to the provider and WebAuthn to the
 * browser; auth owns the identity links and passkey credentials, verifies WebAuthn responses and decides who signs in.
 */

/** The id_token claims the gateway validated, as auth needs them to find (or make) the user. */
export const OidcIdentity = z.object({
  issuer: z.string().min(1),
  subject: z.string().min(1).max(255),
  email: z.string().max(320).optional(),
  emailVerified: z.boolean().default(false),
  preferredUsername: z.string().max(255).optional(),
});
export type OidcIdentity = z.infer<typeof OidcIdentity>;

/** Where WebAuthn responses must come from: the gateway decides (config or the request's own origin). */
export const RelyingParty = z.object({ rpId: z.string().min(1), origin: z.string().min(1), name: z.string().min(1) });
export type RelyingParty = z.infer<typeof RelyingParty>;

/** `POST /api/me/passkeys`: the browser's registration response, and a name for the passkey. */
export const PasskeyRegistration = z
  .object({ name: z.string().trim().min(1).max(64).default('Passkey'), response: z.record(z.string(), z.unknown()) })
  .strict();
/** `PATCH /api/me/passkeys/:id`. */
export const PasskeyRename = z.object({ name: z.string().trim().min(1, 'must not be empty').max(64) }).strict();

export const SignInRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('oidc.login'), identity: OidcIdentity }),
  z.object({ op: z.literal('passkey.register.options'), userId: z.number().int(), rp: RelyingParty }),
  z.object({ op: z.literal('passkey.register.verify'), userId: z.number().int(), rp: RelyingParty, body: z.unknown() }),
  z.object({ op: z.literal('passkey.login.options'), rp: RelyingParty }),
  z.object({ op: z.literal('passkey.login.verify'), rp: RelyingParty, body: z.unknown() }),
  z.object({ op: z.literal('passkey.list'), userId: z.number().int() }),
  z.object({ op: z.literal('passkey.rename'), userId: z.number().int(), passkeyId: z.string(), body: z.unknown() }),
  z.object({ op: z.literal('passkey.delete'), userId: z.number().int(), passkeyId: z.string() }),
]);
export type SignInRequest = z.infer<typeof SignInRequest>;

/** A passkey as its owner sees it (never the key material). */
export const PasskeyView = z.object({
  id: z.number().int(),
  name: z.string(),
  transports: z.array(z.string()),
  backedUp: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type PasskeyView = z.infer<typeof PasskeyView>;

/** `GET /api/auth/methods`: what the sign-in page offers. */
export const SignInMethods = z.object({ oidc: z.object({ name: z.string() }).nullable(), passkey: z.boolean() });
export type SignInMethods = z.infer<typeof SignInMethods>;
