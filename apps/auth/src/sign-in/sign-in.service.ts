import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import {
  CreateUser,
  DomainError,
  PasskeyRegistration,
  PasskeyRename,
  SignInRequest,
  Username,
  notFound,
  type AccountPrincipal,
  type OidcIdentity,
  type PasskeyView,
  type RelyingParty,
  type Role,
} from '@switchboard/contracts';
import type { Passkey, User } from '@switchboard/db';
import type { z } from 'zod';
import { AuthAdminService } from '../admin/auth-admin.service';
import { UserRepository, type Users } from '../admin/user.repository';
import { SignInRepository, type SignInStore } from './sign-in.repository';

/** A WebAuthn ceremony must be finished within this; its challenge is then refused. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

const principal = (u: User): AccountPrincipal => ({ id: u.id, name: u.name, role: u.role as Role, sessionEpoch: u.sessionEpoch, orgId: u.orgId });
const badPasskey = () => new DomainError('invalid_passkey', 401, 'This passkey could not be verified; try again.');

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  throw new DomainError('invalid_request', 400, `${field}: ${issue?.message ?? 'invalid'}`, { field });
}

/** The challenge a browser signed, read from its clientDataJSON (verification then checks it byte for byte). */
function challengeOf(response: unknown): string | null {
  try {
    const data = (response as { response?: { clientDataJSON?: unknown } }).response?.clientDataJSON;
    if (typeof data !== 'string') return null;
    const c = (JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as { challenge?: unknown }).challenge;
    return typeof c === 'string' && c.length <= 512 ? c : null;
  } catch {
    return null;
  }
}

const view = (p: Passkey): PasskeyView => ({
  id: p.id,
  name: p.name,
  transports: p.transports,
  backedUp: p.backedUp,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
});

/**
 * auth.signin.v1: who an OIDC identity is, and passkeys (WebAuthn). Both are complete sign-ins: the provider's own
 * policy (its MFA) or the passkey's user verification stands in for the password and TOTP, so a user with TOTP on is
 * not asked for a code here. Disabled users are refused like at password sign-in.
 */
@Injectable()
export class SignInService {
  private readonly logger = new Logger(SignInService.name);

  constructor(
    @Inject(UserRepository) private readonly users: Users,
    @Inject(SignInRepository) private readonly store: SignInStore,
    private readonly admin: AuthAdminService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  dispatch(payload: unknown): Promise<unknown> {
    const req = SignInRequest.parse(payload);
    switch (req.op) {
      case 'oidc.login':
        return this.oidcLogin(req.identity);
      case 'passkey.register.options':
        return this.registrationOptions(req.userId, req.rp);
      case 'passkey.register.verify':
        return this.register(req.userId, req.rp, req.body);
      case 'passkey.login.options':
        return this.loginOptions(req.rp);
      case 'passkey.login.verify':
        return this.passkeyLogin(req.rp, req.body);
      case 'passkey.list':
        return this.list(req.userId);
      case 'passkey.rename':
        return this.rename(req.userId, req.passkeyId, req.body);
      case 'passkey.delete':
        return this.remove(req.userId, req.passkeyId);
    }
  }

  /**
   * The user linked to (issuer, subject); else, with OIDC_LINK_BY_EMAIL, the user named by the provider's *verified*
   * email (then linked); else a new `user` when REGISTRATION_ENABLED (then linked). An unverified email never links.
   */
  async oidcLogin(id: OidcIdentity): Promise<AccountPrincipal> {
    const link = await this.store.identity(id.issuer, id.subject);
    if (link) {
      const u = await this.users.byId(link.userId);
      if (!u) throw new DomainError('unauthorized', 401, 'The account linked to this sign-in is gone.');
      this.assertActive(u);
      await this.store.touchIdentity(link.id, id.email);
      return principal(u);
    }
    const email = id.email?.trim().toLowerCase();
    if (this.config.OIDC_LINK_BY_EMAIL && email && id.emailVerified) {
      const u = await this.users.byName(email);
      if (u) {
        this.assertActive(u);
        await this.store.link(u.id, id.issuer, id.subject, email);
        this.logger.log(`accounts: linked an OIDC identity of ${id.issuer} to ${u.name} (#${u.id}) by its verified email`);
        return principal(u);
      }
    }
    if (!this.config.REGISTRATION_ENABLED) {
      throw new DomainError('oidc_not_linked', 403, 'No account is linked to this sign-in and registration is off; ask an administrator.');
    }
    const name = await this.freeName([
      id.preferredUsername,
      id.emailVerified ? email : undefined,
      `oidc-${id.subject.replace(/[^A-Za-z0-9_.@-]/g, '-').slice(0, 48)}`,
    ]);
    const created = await this.admin.createUser(CreateUser.parse({ name, role: 'user' }), `${name} (OIDC registration)`, 'admin');
    await this.store.link(created.id, id.issuer, id.subject, email);
    return { id: created.id, name: created.name, role: 'user', sessionEpoch: 0, orgId: null };
  }

  async registrationOptions(userId: number, rp: RelyingParty) {
    const u = await this.user(userId);
    const existing = await this.store.passkeys(u.id);
    const options = await generateRegistrationOptions({
      rpName: rp.name,
      rpID: rp.rpId,
      userName: u.name,
      // Stable per user, so an authenticator replaces this user's passkey instead of keeping two.
      userID: new TextEncoder().encode(`switchboard-user-${u.id}`),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      timeout: CHALLENGE_TTL_MS,
    });
    await this.store.putChallenge(options.challenge, u.id, new Date(Date.now() + CHALLENGE_TTL_MS));
    return options;
  }

  async register(userId: number, rp: RelyingParty, body: unknown): Promise<PasskeyView> {
    const b = parse(PasskeyRegistration, body);
    const u = await this.user(userId);
    const challenge = challengeOf(b.response);
    if (!challenge || !(await this.store.consumeChallenge(challenge, u.id))) {
      throw new DomainError('invalid_challenge', 400, 'The passkey challenge is unknown, used or expired; start again.');
    }
    let result;
    try {
      result = await verifyRegistrationResponse({
        response: b.response as unknown as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpId,
        requireUserVerification: true,
      });
    } catch (e) {
      throw new DomainError('invalid_passkey', 400, `The passkey could not be verified: ${(e as Error).message}`);
    }
    if (!result.verified) throw new DomainError('invalid_passkey', 400, 'The passkey could not be verified.');
    const c = result.registrationInfo.credential;
    if (await this.store.byCredentialId(c.id)) throw new DomainError('conflict', 409, 'This passkey is already registered.');
    const created = await this.store.addPasskey({
      userId: u.id,
      credentialId: c.id,
      publicKey: Buffer.from(c.publicKey).toString('base64url'),
      counter: c.counter,
      transports: c.transports ?? [],
      name: b.name,
      backedUp: result.registrationInfo.credentialBackedUp,
    });
    this.logger.log(`accounts: ${u.name} (#${u.id}) added passkey #${created.id}`);
    return view(created);
  }

  /** Discoverable-credential sign-in: no username first, the authenticator offers the passkeys it holds for this site. */
  async loginOptions(rp: RelyingParty) {
    const options = await generateAuthenticationOptions({ rpID: rp.rpId, userVerification: 'required', allowCredentials: [], timeout: CHALLENGE_TTL_MS });
    await this.store.putChallenge(options.challenge, null, new Date(Date.now() + CHALLENGE_TTL_MS));
    return options;
  }

  async passkeyLogin(rp: RelyingParty, body: unknown): Promise<AccountPrincipal> {
    const response = (body as { response?: unknown } | null)?.response as AuthenticationResponseJSON | undefined;
    const challenge = challengeOf(response);
    // Spent before verification: a failed attempt cannot try the same challenge again.
    if (!response || typeof response.id !== 'string' || !challenge || !(await this.store.consumeChallenge(challenge, null))) {
      throw new DomainError('invalid_challenge', 400, 'The passkey challenge is unknown, used or expired; start again.');
    }
    const pk = await this.store.byCredentialId(response.id);
    if (!pk) throw badPasskey();
    let result;
    try {
      result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpId,
        credential: { id: pk.credentialId, publicKey: Buffer.from(pk.publicKey, 'base64url'), counter: Number(pk.counter), transports: pk.transports },
        requireUserVerification: true,
      });
    } catch (e) {
      this.logger.warn(`accounts: passkey #${pk.id} refused: ${(e as Error).message}`);
      throw badPasskey();
    }
    // The counter must grow (a cloned authenticator or a replayed assertion repeats an old one); one write decides races.
    if (!result.verified || !(await this.store.advanceCounter(pk.id, result.authenticationInfo.newCounter))) throw badPasskey();
    const u = await this.users.byId(pk.userId);
    if (!u) throw badPasskey();
    this.assertActive(u);
    return principal(u);
  }

  async list(userId: number): Promise<{ data: PasskeyView[] }> {
    const u = await this.user(userId);
    return { data: (await this.store.passkeys(u.id)).map(view) };
  }

  async rename(userId: number, passkeyId: string, body: unknown): Promise<PasskeyView> {
    const { name } = parse(PasskeyRename, body);
    const pk = await this.own(userId, passkeyId);
    return view(await this.store.renamePasskey(pk.id, name));
  }

  async remove(userId: number, passkeyId: string): Promise<{ deleted: true }> {
    const pk = await this.own(userId, passkeyId);
    await this.store.deletePasskey(pk.id);
    return { deleted: true };
  }

  /** Another user's passkey reads as missing, like a token. */
  private async own(userId: number, passkeyId: string): Promise<Passkey> {
    const u = await this.user(userId);
    const id = /^\d{1,9}$/.test(passkeyId) ? Number(passkeyId) : NaN;
    const pk = Number.isNaN(id) ? null : await this.store.passkey(id);
    if (!pk || pk.userId !== u.id) throw notFound('passkey');
    return pk;
  }

  /** The first candidate that is a valid, unused username (a numeric suffix when taken). */
  private async freeName(candidates: (string | undefined)[]): Promise<string> {
    for (const c of candidates) {
      const base = c && Username.safeParse(c).success ? c.trim().slice(0, 56) : undefined;
      if (!base) continue;
      for (let i = 0; i < 20; i++) {
        const name = i === 0 ? base : `${base}-${i + 1}`;
        if (!(await this.users.byName(name))) return name;
      }
    }
    throw new DomainError('conflict', 409, 'No free username for this sign-in; ask an administrator to create the account.');
  }

  private assertActive(u: User): void {
    if (u.status !== 'active') throw new DomainError('account_disabled', 403, 'This account is disabled.');
  }

  private async user(userId: number): Promise<User> {
    const u = await this.users.byId(userId);
    if (!u || u.status !== 'active') throw new DomainError('unauthorized', 401, 'The account is gone or disabled; sign in again.');
    return u;
  }
}
