import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import {
  AccountRequest,
  ChangePassword,
  CreateOwnToken,
  CreateToken,
  CreateUser,
  DomainError,
  Register,
  TokenListQuery,
  TotpCode,
  actorOf,
  notFound,
  type AccountPrincipal,
  type MeView,
  type Role,
} from '@switchboard/contracts';
import { microsToUsdOrNull, type User } from '@switchboard/db';
import type { z } from 'zod';
import { userView } from '../admin/auth.views';
import { AuthAdminService } from '../admin/auth-admin.service';
import { UserRepository, type Users } from '../admin/user.repository';
import { AccountRepository, type AccountStore } from './account.repository';
import { PasswordHasher } from './password.hasher';
import { backupCodeHash, looksLikeBackupCode, newBackupCodes, newTotpSecret, totpStep } from './second-factor';

/** Injected clock (tests pin TOTP time with it); Date.now otherwise. */
export const ACCOUNT_CLOCK = Symbol('ACCOUNT_CLOCK');

const badCredentials = () => new DomainError('invalid_credentials', 401, 'Invalid username or password.');
const principal = (u: User): AccountPrincipal => ({ id: u.id, name: u.name, role: u.role as Role, sessionEpoch: u.sessionEpoch, orgId: u.orgId });

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  throw new DomainError('invalid_request', 400, `${field}: ${issue?.message ?? 'invalid'}`, { field });
}

/**
 * auth.account.v1: password sign-in (with the TOTP step), registration, and what a signed-in user may do with its own
 * account — every `userId` here is the gateway's signed-in user, so no operation reaches another user's data. Writes
 * go through AuthAdminService where one exists, so they are audited and announced the same way, with the user as actor.
 */
@Injectable()
export class AccountService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AccountService.name);
  private readonly box: SecretBox;
  private readonly now: () => number;

  constructor(
    @Inject(UserRepository) private readonly users: Users,
    @Inject(AccountRepository) private readonly accounts: AccountStore,
    private readonly admin: AuthAdminService,
    private readonly hasher: PasswordHasher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(ACCOUNT_CLOCK) now?: () => number,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
    this.now = now ?? Date.now;
  }

  /** ROOT_USERNAME/ROOT_PASSWORD: the first root. An existing user is made root; its password is set only if it has none. */
  async onApplicationBootstrap(): Promise<void> {
    const name = this.config.ROOT_USERNAME;
    const password = this.config.ROOT_PASSWORD;
    if (!name || !password) return;
    const existing = await this.users.byName(name);
    if (!existing) {
      await this.admin.createUser({ ...CreateUser.parse({ name, role: 'root' }), password }, 'ROOT_USERNAME', 'root');
      this.logger.log(`accounts: created root user "${name}" from ROOT_USERNAME`);
    } else if (existing.role !== 'root' || existing.passwordHash === null) {
      await this.admin.updateUser(String(existing.id), { role: 'root', ...(existing.passwordHash === null ? { password } : {}) }, 'ROOT_USERNAME', 'root');
      this.logger.log(`accounts: user "${name}" is root (ROOT_USERNAME)`);
    }
  }

  dispatch(payload: unknown): Promise<unknown> {
    const req = AccountRequest.parse(payload);
    switch (req.op) {
      case 'login':
        return this.login(req.username, req.password, req.totp);
      case 'register':
        return this.register(req.username, req.password);
      case 'whoami':
        return this.whoami(req.userId);
      case 'me':
        return this.me(req.userId);
      case 'tokens.list':
        return this.listTokens(req.userId);
      case 'tokens.create':
        return this.createToken(req.userId, req.body);
      case 'tokens.delete':
        return this.deleteToken(req.userId, req.tokenId);
      case '2fa.setup':
        return this.setupTotp(req.userId);
      case '2fa.enable':
        return this.enableTotp(req.userId, req.body);
      case '2fa.disable':
        return this.disableTotp(req.userId, req.body);
      case '2fa.backup-codes':
        return this.regenerateBackupCodes(req.userId, req.body);
      case 'password.change':
        return this.changePassword(req.userId, req.body, req.recentSignIn);
      case 'sessions.revoke':
        return this.revokeSessions(req.userId);
    }
  }

  /**
   * The same 401 for an unknown name, a user without a password and a wrong password (each after one argon2
   * verification). Only a caller who knows the password learns that the account is disabled or needs a second factor.
   */
  async login(username: string, password: string, code: string | undefined): Promise<AccountPrincipal> {
    const user = username.length <= 128 ? await this.users.byName(username.trim()) : null;
    const ok = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user || !ok) throw badCredentials();
    if (user.status !== 'active') throw new DomainError('account_disabled', 403, 'This account is disabled.');
    if (user.totpEnabled) {
      if (!code) throw new DomainError('totp_required', 401, 'Enter the code from your authenticator app (or a backup code).');
      if (!(await this.checkSecondFactor(user, code))) throw new DomainError('invalid_totp', 401, 'Invalid or already used code.');
    }
    return principal(user);
  }

  async register(username: string, password: string): Promise<AccountPrincipal> {
    if (!this.config.REGISTRATION_ENABLED) throw new DomainError('registration_disabled', 403, 'Registration is disabled on this gateway.');
    const b = parse(Register, { username, password });
    const created = await this.admin.createUser(
      { ...CreateUser.parse({ name: b.username, role: 'user' }), password: b.password },
      `${b.username} (registration)`,
      'admin',
    );
    return { id: created.id, name: created.name, role: 'user', sessionEpoch: 0, orgId: null };
  }

  /** The principal of a live session's user, or null when it is gone or disabled (the session then ends). */
  async whoami(userId: number): Promise<AccountPrincipal | null> {
    const u = await this.users.byId(userId);
    return u && u.status === 'active' ? principal(u) : null;
  }

  async me(userId: number): Promise<MeView> {
    const u = await this.user(userId);
    return {
      id: u.id,
      name: u.name,
      role: u.role as Role,
      group: u.group,
      status: u.status,
      balance: microsToUsdOrNull(u.balanceMicros),
      hasPassword: u.passwordHash !== null,
      twoFactor: { enabled: u.totpEnabled, backupCodesLeft: u.totpEnabled ? u.backupCodes.length : 0 },
      tokens: { count: await this.accounts.tokenCount(u.id), max: this.maxTokens(u) },
    };
  }

  async listTokens(userId: number) {
    return this.admin.listTokens(TokenListQuery.parse({ userId: String(userId), limit: '500' }));
  }

  async createToken(userId: number, body: unknown) {
    const b = parse(CreateOwnToken, body);
    const u = await this.user(userId);
    const max = this.maxTokens(u);
    if ((await this.accounts.tokenCount(u.id)) >= max) {
      throw new DomainError('token_limit', 409, `You already hold ${max} token(s), the most you may; delete one first.`, { max });
    }
    // Group, rate limits and IP lists stay the user's (set by an admin): a user's own token can only narrow them.
    return this.admin.createToken(CreateToken.parse({ name: b.name, userId: u.id, expiresAt: b.expiresAt, quota: b.quota, models: b.models }), actorOf(u));
  }

  async deleteToken(userId: number, tokenId: string) {
    const u = await this.user(userId);
    const token = await this.admin.getToken(tokenId).catch(() => null);
    // Another user's token reads as missing: its existence is not this user's business.
    if (!token || token.userId !== u.id) throw notFound('token');
    return this.admin.deleteToken(tokenId, actorOf(u));
  }

  async setupTotp(userId: number) {
    const u = await this.user(userId);
    if (u.totpEnabled) throw new DomainError('invalid_request', 409, 'Two-factor authentication is already on; disable it first.');
    const { secret, uri } = newTotpSecret(u.name);
    await this.users.update(u.id, { totpSecret: this.box.encrypt(secret), totpLastStep: null }, (after) => this.audit(u, after));
    return { secret, uri };
  }

  async enableTotp(userId: number, body: unknown) {
    const { code } = parse(TotpCode, body);
    const u = await this.user(userId);
    if (u.totpEnabled) throw new DomainError('invalid_request', 409, 'Two-factor authentication is already on.');
    const secret = this.secretOf(u);
    if (!secret) throw new DomainError('invalid_request', 409, 'Start with POST /api/me/2fa/setup.');
    const step = totpStep(secret, code, this.now());
    if (step === null || !(await this.accounts.acceptTotpStep(u.id, step)))
      throw new DomainError('invalid_totp', 400, 'code: invalid or already used', { field: 'code' });
    const codes = newBackupCodes();
    await this.users.update(u.id, { totpEnabled: true, backupCodes: codes.map(backupCodeHash) }, (after) => this.audit(u, after));
    return { backupCodes: codes };
  }

  async disableTotp(userId: number, body: unknown) {
    const { code } = parse(TotpCode, body);
    const u = await this.enabledUser(userId, code);
    await this.users.update(u.id, { totpEnabled: false, totpSecret: null, totpLastStep: null, backupCodes: [] }, (after) => this.audit(u, after));
    return { disabled: true as const };
  }

  async regenerateBackupCodes(userId: number, body: unknown) {
    const { code } = parse(TotpCode, body);
    const u = await this.enabledUser(userId, code);
    const codes = newBackupCodes();
    await this.users.update(u.id, { backupCodes: codes.map(backupCodeHash) }, (after) => this.audit(u, after));
    return { backupCodes: codes };
  }

  /**
   * The user's own new password. It proves itself with the current password, or, for an account that has none (made by
   * an OIDC sign-in), with a session begun moments ago (`recentSignIn`: a stolen old cookie cannot plant a password);
   * plus the second factor when 2FA is on. Errors are 400/403, never 401: the caller's session stays good. The epoch
   * rises, so every session made before ends; the gateway then gives the caller a new one under the answered principal.
   */
  async changePassword(userId: number, body: unknown, recentSignIn: boolean): Promise<AccountPrincipal> {
    const b = parse(ChangePassword, body);
    const u = await this.user(userId);
    if (u.passwordHash === null) {
      if (!recentSignIn) {
        throw new DomainError(
          'reauthentication_required',
          403,
          'This account has no password yet: sign out, sign in again (OIDC or a passkey) and set one within 10 minutes.',
        );
      }
    } else {
      if (b.currentPassword === undefined) throw new DomainError('invalid_request', 400, 'currentPassword: required', { field: 'currentPassword' });
      if (!(await this.hasher.verify(u.passwordHash, b.currentPassword))) {
        throw new DomainError('invalid_credentials', 400, 'currentPassword: not your current password', { field: 'currentPassword' });
      }
    }
    if (u.totpEnabled) {
      if (!b.totp) throw new DomainError('totp_required', 400, 'totp: enter the code from your authenticator app (or a backup code)', { field: 'totp' });
      if (!(await this.checkSecondFactor(u, b.totp))) throw new DomainError('invalid_totp', 400, 'totp: invalid or already used', { field: 'totp' });
    }
    const passwordHash = await this.hasher.hash(b.newPassword);
    const after = await this.users.update(u.id, { passwordHash, sessionEpoch: { increment: 1 } }, (a) => ({
      ...this.audit(u, a),
      after: { ...userView(a), change: u.passwordHash === null ? 'password set; other sessions ended' : 'password changed; other sessions ended' },
    }));
    this.logger.log(`accounts: ${actorOf(u)} ${u.passwordHash === null ? 'set a first' : 'changed its'} password; its other sessions end`);
    return principal(after);
  }

  /** "Sign out everywhere": a new epoch ends every session of the user, the caller's included. */
  async revokeSessions(userId: number): Promise<{ revoked: true }> {
    const u = await this.user(userId);
    await this.users.update(u.id, { sessionEpoch: { increment: 1 } }, (a) => ({
      ...this.audit(u, a),
      after: { ...userView(a), change: 'signed out everywhere' },
    }));
    this.logger.log(`accounts: ${actorOf(u)} signed out everywhere`);
    return { revoked: true };
  }

  private async enabledUser(userId: number, code: string): Promise<User> {
    const u = await this.user(userId);
    if (!u.totpEnabled) throw new DomainError('invalid_request', 409, 'Two-factor authentication is off.');
    if (!(await this.checkSecondFactor(u, code))) throw new DomainError('invalid_totp', 400, 'code: invalid or already used', { field: 'code' });
    return u;
  }

  /** A current TOTP code (its step not used before) or one unused backup code, which is then spent. */
  private async checkSecondFactor(u: User, code: string): Promise<boolean> {
    if (looksLikeBackupCode(code)) return this.accounts.useBackupCode(u.id, backupCodeHash(code));
    const secret = this.secretOf(u);
    const step = secret ? totpStep(secret, code.trim(), this.now()) : null;
    return step !== null && this.accounts.acceptTotpStep(u.id, step);
  }

  private secretOf(u: User): string | null {
    if (!u.totpSecret) return null;
    try {
      return this.box.decrypt(u.totpSecret);
    } catch {
      return null; // sealed under another SECRET_KEY: as good as none (an admin resets 2FA)
    }
  }

  private maxTokens(u: User): number {
    return u.maxTokens ?? this.config.USER_MAX_TOKENS;
  }

  private async user(userId: number): Promise<User> {
    const u = await this.users.byId(userId);
    if (!u || u.status !== 'active') throw new DomainError('unauthorized', 401, 'The account is gone or disabled; sign in again.');
    return u;
  }

  private audit(before: User, after: User) {
    return { actor: actorOf(before), action: 'update' as const, entity: 'user' as const, entityId: after.id, before: userView(before), after: userView(after) };
  }
}
