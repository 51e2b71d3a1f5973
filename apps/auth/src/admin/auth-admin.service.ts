import { Inject, Injectable } from '@nestjs/common';
import { generateApiKey, hashApiKey, keyPrefix } from '@switchboard/common';
import {
  DomainError,
  Subjects,
  badRequest,
  notFound,
  type AuthListQuery,
  type TokenListQuery,
  type CreateGroup,
  type CreateToken,
  type CreateUser,
  type UpdateGroup,
  type UpdateToken,
  type UpdateUser,
  type UserListQuery,
} from '@switchboard/contracts';
import { ADMIN_USER_NAME, Prisma, modelsToColumn, usdToMicrosOrNull } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import type { z } from 'zod';
import { Budgets, type BudgetView } from '../budgets/budget';
import type { BudgetScope } from '../budgets/budget-spend.repository';
import { PasswordHasher } from '../accounts/password.hasher';
import { TokenExpiryService } from '../keys/token-expiry.service';
import { groupAssignmentProblem, inOrgScope, orgAdminForbiddenField, orgForNewUser } from '../orgs/org-scope';
import { groupView, tokenView, userView } from './auth.views';
import { GroupRepository, type Groups } from './group.repository';
import { TokenRepository, type Tokens } from './token.repository';
import { UserRepository, type Users } from './user.repository';

function parseId(id: string | undefined, what: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0 || n > 2_147_483_647) throw notFound(what);
  return n;
}

const duplicate = (what: string) => new DomainError('invalid_request', 400, `name: ${what} already exists`, { field: 'name' });

/** A concurrent create can still race past the pre-check: the unique index has the last word, with the same 400. */
function uniqueViolation(err: unknown, what: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw duplicate(what);
  // orgId is the only foreign key a user or group write sets from its input
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2003') throw badRequest('orgId: no such organisation', { field: 'orgId' });
  throw err;
}

/** The admin API's budget → its column (undefined leaves it, null clears it). */
function budgetColumn(b: { amount: number; period: string; softLimit: number | null } | null | undefined) {
  if (b === undefined) return undefined;
  return b === null ? Prisma.DbNull : { amount: b.amount, period: b.period, softLimit: b.softLimit };
}

type TokenStatus = 'active' | 'disabled' | 'exhausted' | 'expired';

/**
 * The status a token ends up with after an admin write. `disabled` is the admin's; `expired` and `exhausted` are
 * facts about the row, so they follow the row: extending `expiresAt` or raising `quota` re-activates, setting
 * `active` on a token that is past its expiry or quota does not.
 */
function effectiveStatus(desired: TokenStatus, t: { expiresAt: Date | null; quotaMicros: bigint | null; usedQuotaMicros: bigint }): TokenStatus {
  if (desired === 'disabled') return 'disabled';
  if (t.expiresAt && t.expiresAt.getTime() <= Date.now()) return 'expired';
  if (t.quotaMicros !== null && t.usedQuotaMicros >= t.quotaMicros) return 'exhausted';
  return 'active';
}

/**
 * Users, tokens and groups: admin CRUD. Input is validated before anything is read or written; each change and its
 * audit record commit in one transaction; every change that can alter a verified key is announced on
 * `auth.changed.v1` so every gateway replica drops its cached copy. Inputs arrive parsed (AdminDispatcher, with the
 * route's schema); answers are the views, errors DomainErrors.
 */
@Injectable()
export class AuthAdminService {
  constructor(
    @Inject(UserRepository) private readonly users: Users,
    @Inject(TokenRepository) private readonly tokens: Tokens,
    @Inject(GroupRepository) private readonly groups: Groups,
    private readonly bus: Bus,
    private readonly expiry: TokenExpiryService,
    private readonly budgets: Budgets,
    private readonly hasher: PasswordHasher,
  ) {}

  /** An admin answer: the view with its budget's current period and spend (the view alone is what the audit keeps). */
  private async withSpend<V extends { budget: unknown }>(
    scope: BudgetScope,
    id: number | string,
    view: V,
    column: unknown,
  ): Promise<Omit<V, 'budget'> & { budget: BudgetView | null }> {
    return { ...view, budget: view.budget ? await this.budgets.view(scope, id, column) : null };
  }

  /** The last active root stays one: otherwise only the admin key could manage admins and roots. */
  private async assertNotLastRoot(before: { role: string; status: string }, after?: { role?: string; status?: string }): Promise<void> {
    if (before.role !== 'root' || before.status !== 'active') return;
    if (after && (after.role ?? 'root') === 'root' && (after.status ?? 'active') === 'active') return;
    if ((await this.users.activeRootCount()) <= 1) {
      throw badRequest('role: the last active root cannot be demoted, disabled or deleted; make another root first', { field: 'role' });
    }
  }

  /** Admins manage users; only root (or the admin key) manages admins and roots, or makes one. */
  private assertMayManage(actorRole: 'root' | 'admin', ...roles: (string | undefined)[]): void {
    if (actorRole !== 'root' && roles.some((r) => r !== undefined && r !== 'user')) {
      throw new DomainError('forbidden', 403, 'Only a root may manage admins and roots.');
    }
  }

  private changed(keyHashes: string[], all = false, quotaReset?: { tokenIds: number[]; userIds: number[] }): void {
    if (!all && !keyHashes.length && !quotaReset) return;
    this.bus.emit(Subjects.AuthChanged, { keyHashes, all, quotaReset });
  }

  // ---- users
  async listUsers(q: z.output<typeof UserListQuery>, actorOrgId: number | null = null) {
    const { rows, total } = await this.users.page(
      { search: q.search || undefined, group: q.group || undefined, status: q.status, orgId: actorOrgId ?? undefined },
      q.limit,
      q.offset,
    );
    return {
      data: await Promise.all(rows.map(async (u) => ({ ...(await this.withSpend('user', u.id, userView(u), u.budget)), tokenCount: u.tokenCount }))),
      total,
    };
  }

  async getUser(id: string | undefined, actorOrgId: number | null = null) {
    const u = await this.findUser(id, actorOrgId);
    return this.withSpend('user', u.id, userView(u), u.budget);
  }

  /** The user, if the asker's org may see it (another org's user reads as absent). */
  private async findUser(id: string | undefined, actorOrgId: number | null = null) {
    const user = await this.users.byId(parseId(id, 'user'));
    if (!user || !inOrgScope(actorOrgId, user.orgId)) throw notFound('user');
    return user;
  }

  /** `name` may hold a user (or a token of a user) of `subjectOrgId`, as `actorOrgId` assigns it (org-scope's rule). */
  private async assertGroup(name: string, actorOrgId: number | null = null, subjectOrgId: number | null = null): Promise<void> {
    const problem = groupAssignmentProblem(actorOrgId, subjectOrgId, await this.groups.byName(name), name);
    if (problem) throw badRequest(problem, { field: 'group' });
  }

  /** A token's own group against its user's organisation. */
  private async assertTokenGroup(group: string | null | undefined, userId: number, actorOrgId: number | null): Promise<void> {
    if (!group) return;
    const owner = await this.users.byId(userId);
    await this.assertGroup(group, actorOrgId, owner?.orgId ?? null);
  }

  private async assertUserNameFree(name: string, exceptId?: number): Promise<void> {
    const other = await this.users.byName(name);
    if (other && other.id !== exceptId) throw duplicate(`user "${name}"`);
  }

  async createUser(b: z.infer<typeof CreateUser>, actor: string, actorRole: 'root' | 'admin' = 'admin', actorOrgId: number | null = null) {
    this.assertMayManage(actorRole, b.role);
    await this.assertGroup(b.group, actorOrgId, orgForNewUser(actorOrgId, b.orgId ?? null));
    const passwordHash = b.password === undefined ? null : await this.hasher.hash(b.password);
    await this.assertUserNameFree(b.name);
    const user = await this.users
      .create(
        {
          name: b.name,
          group: b.group,
          status: b.status,
          balanceMicros: usdToMicrosOrNull(b.balance),
          rpm: b.rpm,
          tpm: b.tpm,
          maxConcurrency: b.maxConcurrency,
          budget: budgetColumn(b.budget),
          role: b.role,
          passwordHash,
          maxTokens: b.maxTokens,
          orgId: orgForNewUser(actorOrgId, b.orgId ?? null),
        },
        (u) => ({ actor, action: 'create', entity: 'user', entityId: u.id, after: userView(u) }),
      )
      .catch((e) => uniqueViolation(e, `user "${b.name}"`));
    return this.withSpend('user', user.id, userView(user), user.budget);
  }

  async updateUser(
    id: string | undefined,
    b: z.infer<typeof UpdateUser>,
    actor: string,
    actorRole: 'root' | 'admin' = 'admin',
    actorOrgId: number | null = null,
  ) {
    const before = await this.findUser(id, actorOrgId);
    if (actorOrgId !== null && b.orgId !== undefined && b.orgId !== actorOrgId) {
      throw new DomainError('forbidden', 403, 'An organisation admin cannot move a user to another organisation.');
    }
    this.assertMayManage(actorRole, before.role, b.role);
    await this.assertNotLastRoot(before, b);
    const passwordHash = b.password === undefined ? undefined : b.password === null ? null : await this.hasher.hash(b.password);
    const reset2fa = b.resetTwoFactor ? { totpEnabled: false, totpSecret: null, totpLastStep: null, backupCodes: [] } : {};
    // Moving a user to another org re-checks the group it keeps, as does a new group.
    if (b.group || (b.orgId !== undefined && b.orgId !== before.orgId))
      await this.assertGroup(b.group ?? before.group, b.group ? actorOrgId : null, b.orgId !== undefined ? b.orgId : before.orgId);
    if (b.name !== undefined) await this.assertUserNameFree(b.name, before.id);
    const after = await this.users
      .update(
        before.id,
        {
          name: b.name,
          group: b.group,
          status: b.status,
          balanceMicros: b.balance === undefined ? undefined : usdToMicrosOrNull(b.balance),
          rpm: b.rpm,
          tpm: b.tpm,
          maxConcurrency: b.maxConcurrency,
          budget: budgetColumn(b.budget),
          role: b.role,
          passwordHash,
          maxTokens: b.maxTokens,
          orgId: b.orgId,
          ...reset2fa,
          // A new (or no) password, or 2FA reset, ends the user's console sessions: whoever held one may not any more.
          ...(b.password !== undefined || b.resetTwoFactor ? { sessionEpoch: { increment: 1 } } : {}),
        },
        (u) => ({ actor, action: 'update', entity: 'user', entityId: u.id, before: userView(before), after: userView(u) }),
      )
      .catch((e) => uniqueViolation(e, `user "${b.name}"`));
    // Status, group (inherited by its tokens), balance and limits are all part of every one of its tokens' verification.
    const balanceChanged = b.balance !== undefined;
    this.changed(await this.tokens.keyHashesOfUser(after.id), false, balanceChanged ? { tokenIds: [], userIds: [after.id] } : undefined);
    return this.withSpend('user', after.id, userView(after), after.budget);
  }

  async deleteUser(id: string | undefined, actor: string, actorRole: 'root' | 'admin' = 'admin', actorOrgId: number | null = null) {
    const before = await this.findUser(id, actorOrgId);
    this.assertMayManage(actorRole, before.role);
    await this.assertNotLastRoot(before);
    if (before.builtin) throw badRequest('id: the built-in admin user cannot be deleted', { field: 'id' });
    const tokens = await this.tokens.ofUser(before.id);
    // Its tokens go with it (ON DELETE CASCADE): each is a change of its own, so each is audited.
    await this.users.delete(before.id, [
      ...tokens.map((t) => ({ actor, action: 'delete' as const, entity: 'token' as const, entityId: t.id, before: tokenView(t) })),
      { actor, action: 'delete', entity: 'user', entityId: before.id, before: userView(before) },
    ]);
    this.changed(tokens.map((t) => t.keyHash));
    return { deleted: true as const, tokensDeleted: tokens.length };
  }

  // ---- tokens
  async listTokens(q: z.output<typeof TokenListQuery>, actorOrgId: number | null = null) {
    await this.expiry.expireDue();
    const { rows, total } = await this.tokens.page(
      { userId: q.userId, status: q.status, search: q.search || undefined, orgId: actorOrgId ?? undefined },
      q.limit,
      q.offset,
    );
    return { data: await Promise.all(rows.map((t) => this.withSpend('token', t.id, tokenView(t), t.budget))), total };
  }

  async getToken(id: string | undefined, actorOrgId: number | null = null) {
    await this.expiry.expireDue();
    const t = await this.findToken(id, actorOrgId);
    return this.withSpend('token', t.id, tokenView(t), t.budget);
  }

  /** The token, if the asker's org may see its user (another org's token reads as absent). */
  private async findToken(id: string | undefined, actorOrgId: number | null = null) {
    const token = await this.tokens.byId(parseId(id, 'token'));
    const owner = token && actorOrgId !== null ? await this.users.byId(token.userId) : null;
    if (!token || (actorOrgId !== null && !inOrgScope(actorOrgId, owner?.orgId ?? null))) throw notFound('token');
    return token;
  }

  async createToken(b: z.infer<typeof CreateToken>, actor: string, actorOrgId: number | null = null) {
    let userId = b.userId;
    if (actorOrgId !== null) {
      // An org admin's tokens belong to its org's users: the built-in admin user (the default owner) is the platform's.
      const owner = userId === undefined ? null : await this.users.byId(userId);
      if (!owner || !inOrgScope(actorOrgId, owner.orgId)) throw badRequest('userId: a user of your organisation is required', { field: 'userId' });
      userId = owner.id;
    } else if (userId === undefined) {
      const admin = await this.users.byName(ADMIN_USER_NAME);
      if (!admin) throw new DomainError('internal', 500, 'the built-in admin user is missing');
      userId = admin.id;
    } else if (!(await this.users.byId(userId))) {
      throw badRequest(`userId: user ${userId} does not exist`, { field: 'userId' });
    }
    await this.assertTokenGroup(b.group, userId, actorOrgId);
    const key = generateApiKey();
    const expiresAt = b.expiresAt ? new Date(b.expiresAt) : null;
    const quotaMicros = usdToMicrosOrNull(b.quota);
    const token = await this.tokens.create(
      {
        name: b.name,
        userId: userId,
        keyHash: hashApiKey(key),
        keyPrefix: keyPrefix(key),
        group: b.group ?? null,
        expiresAt,
        quotaMicros,
        models: modelsToColumn(b.models),
        allowIps: b.allowIps,
        rpm: b.rpm,
        tpm: b.tpm,
        maxConcurrency: b.maxConcurrency,
        crossGroupRetry: b.crossGroupRetry,
        budget: budgetColumn(b.budget),
        logBodies: b.logBodies,
        status: effectiveStatus(b.status, { expiresAt, quotaMicros, usedQuotaMicros: 0n }),
      },
      (t) => ({ actor, action: 'create', entity: 'token', entityId: t.id, after: tokenView(t) }),
    );
    // A client that tried the key a moment early may have a cached "unknown key" answer.
    this.changed([token.keyHash]);
    // The only time the full key is shown; only its sha256 is stored.
    return { ...(await this.withSpend('token', token.id, tokenView(token), token.budget)), key };
  }

  async updateToken(id: string | undefined, b: z.infer<typeof UpdateToken>, actor: string, actorOrgId: number | null = null) {
    const before = await this.findToken(id, actorOrgId);
    await this.assertTokenGroup(b.group, before.userId, actorOrgId);
    const expiresAt = b.expiresAt === undefined ? before.expiresAt : b.expiresAt ? new Date(b.expiresAt) : null;
    const quotaMicros = b.quota === undefined ? before.quotaMicros : usdToMicrosOrNull(b.quota);
    // The status is computed from the locked, re-read row (the repository's `update`), so billing's last
    // usedQuota move is seen.
    const after = await this.tokens.update(
      before.id,
      (current) => ({
        name: b.name,
        group: b.group,
        expiresAt: b.expiresAt === undefined ? undefined : expiresAt,
        quotaMicros: b.quota === undefined ? undefined : quotaMicros,
        models: b.models === undefined ? undefined : modelsToColumn(b.models),
        allowIps: b.allowIps,
        rpm: b.rpm,
        tpm: b.tpm,
        maxConcurrency: b.maxConcurrency,
        crossGroupRetry: b.crossGroupRetry,
        budget: budgetColumn(b.budget),
        logBodies: b.logBodies,
        status: effectiveStatus((b.status ?? current.status) as TokenStatus, { expiresAt, quotaMicros, usedQuotaMicros: current.usedQuotaMicros }),
      }),
      (current, t) => ({ actor, action: 'update', entity: 'token', entityId: t.id, before: tokenView(current), after: tokenView(t) }),
    );
    if (!after) throw notFound('token');
    this.changed([after.keyHash], false, b.quota !== undefined ? { tokenIds: [after.id], userIds: [] } : undefined);
    return this.withSpend('token', after.id, tokenView(after), after.budget);
  }

  async deleteToken(id: string | undefined, actor: string, actorOrgId: number | null = null) {
    const before = await this.findToken(id, actorOrgId);
    await this.tokens.delete(before.id, { actor, action: 'delete', entity: 'token', entityId: before.id, before: tokenView(before) });
    this.changed([before.keyHash]);
    return { deleted: true as const };
  }

  // ---- groups
  async listGroups(q: z.output<typeof AuthListQuery>, actorOrgId: number | null = null) {
    const { rows, total } = await this.groups.page(q.limit, q.offset, actorOrgId ?? undefined);
    return {
      data: await Promise.all(
        rows.map(async (g) => ({ ...(await this.withSpend('group', g.name, groupView(g), g.budget)), userCount: g.userCount, tokenCount: g.tokenCount })),
      ),
      total,
    };
  }

  async getGroup(name: string | undefined, actorOrgId: number | null = null) {
    const g = await this.findGroup(name, actorOrgId);
    return this.withSpend('group', g.name, groupView(g), g.budget);
  }

  /** The group, if the asker's org owns it (another org's group, and a platform one, read as absent to an org admin). */
  private async findGroup(name: string | undefined, actorOrgId: number | null = null) {
    const group = name ? await this.groups.byName(name) : null;
    if (!group || !inOrgScope(actorOrgId, group.orgId)) throw notFound('group');
    return group;
  }

  async createGroup(b: z.infer<typeof CreateGroup>, actor: string) {
    if (await this.groups.byName(b.name)) throw duplicate(`group "${b.name}"`);
    const g = await this.groups
      .create({ ...b, priceRatio: new Prisma.Decimal(b.priceRatio), budget: budgetColumn(b.budget) }, (row) => ({
        actor,
        action: 'create',
        entity: 'group',
        entityId: row.name,
        after: groupView(row),
      }))
      .catch((e) => uniqueViolation(e, `group "${b.name}"`));
    // No key can be in a group that did not exist, so no cached verification is stale.
    return this.withSpend('group', g.name, groupView(g), g.budget);
  }

  async updateGroup(name: string | undefined, b: z.infer<typeof UpdateGroup>, actor: string, actorOrgId: number | null = null) {
    const before = await this.findGroup(name, actorOrgId);
    // The price ratio and the owner are the platform's to decide, even for the org's own groups.
    const forbidden = orgAdminForbiddenField(actorOrgId, b, ['priceRatio', 'orgId']);
    if (forbidden) throw new DomainError('forbidden', 403, `${forbidden}: an organisation admin cannot change it`, { field: forbidden });
    if (b.orgId !== undefined && b.orgId !== before.orgId && b.orgId !== null && (await this.groups.holdsOtherOrgs(before.name, b.orgId))) {
      throw badRequest(`orgId: users or tokens of another organisation are in the group "${before.name}"; move them first`, { field: 'orgId' });
    }
    const after = await this.groups
      .update(
        before.name,
        { ...b, priceRatio: b.priceRatio === undefined ? undefined : new Prisma.Decimal(b.priceRatio), budget: budgetColumn(b.budget) },
        (row) => ({ actor, action: 'update', entity: 'group', entityId: row.name, before: groupView(before), after: groupView(row) }),
      )
      .catch((e) => uniqueViolation(e, `group "${before.name}"`));
    // Every key whose user or token names this group carries its ratio and limits: cheaper to drop all than to find them.
    this.changed([], true);
    return this.withSpend('group', after.name, groupView(after), after.budget);
  }
}
