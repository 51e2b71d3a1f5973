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
import { TokenExpiryService } from '../keys/token-expiry.service';
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
  throw err;
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
  ) {}

  private changed(keyHashes: string[], all = false, quotaReset?: { tokenIds: number[]; userIds: number[] }): void {
    if (!all && !keyHashes.length && !quotaReset) return;
    this.bus.emit(Subjects.AuthChanged, { keyHashes, all, quotaReset });
  }

  // ---- users
  async listUsers(q: z.output<typeof UserListQuery>) {
    const { rows, total } = await this.users.page({ search: q.search || undefined, group: q.group || undefined, status: q.status }, q.limit, q.offset);
    return { data: rows.map((u) => ({ ...userView(u), tokenCount: u.tokenCount })), total };
  }

  async getUser(id: string | undefined) {
    return userView(await this.findUser(id));
  }

  private async findUser(id: string | undefined) {
    const user = await this.users.byId(parseId(id, 'user'));
    if (!user) throw notFound('user');
    return user;
  }

  private async assertGroup(name: string): Promise<void> {
    if (!(await this.groups.byName(name))) {
      throw badRequest(`group: "${name}" does not exist`, { field: 'group' });
    }
  }

  private async assertUserNameFree(name: string, exceptId?: number): Promise<void> {
    const other = await this.users.byName(name);
    if (other && other.id !== exceptId) throw duplicate(`user "${name}"`);
  }

  async createUser(b: z.infer<typeof CreateUser>, actor: string) {
    await this.assertGroup(b.group);
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
        },
        (u) => ({ actor, action: 'create', entity: 'user', entityId: u.id, after: userView(u) }),
      )
      .catch((e) => uniqueViolation(e, `user "${b.name}"`));
    return userView(user);
  }

  async updateUser(id: string | undefined, b: z.infer<typeof UpdateUser>, actor: string) {
    const before = await this.findUser(id);
    if (b.group) await this.assertGroup(b.group);
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
        },
        (u) => ({ actor, action: 'update', entity: 'user', entityId: u.id, before: userView(before), after: userView(u) }),
      )
      .catch((e) => uniqueViolation(e, `user "${b.name}"`));
    // Status, group (inherited by its tokens), balance and limits are all part of every one of its tokens' verification.
    const balanceChanged = b.balance !== undefined;
    this.changed(await this.tokens.keyHashesOfUser(after.id), false, balanceChanged ? { tokenIds: [], userIds: [after.id] } : undefined);
    return userView(after);
  }

  async deleteUser(id: string | undefined, actor: string) {
    const before = await this.findUser(id);
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
  async listTokens(q: z.output<typeof TokenListQuery>) {
    await this.expiry.expireDue();
    const { rows, total } = await this.tokens.page({ userId: q.userId, status: q.status, search: q.search || undefined }, q.limit, q.offset);
    return { data: rows.map(tokenView), total };
  }

  async getToken(id: string | undefined) {
    await this.expiry.expireDue();
    return tokenView(await this.findToken(id));
  }

  private async findToken(id: string | undefined) {
    const token = await this.tokens.byId(parseId(id, 'token'));
    if (!token) throw notFound('token');
    return token;
  }

  async createToken(b: z.infer<typeof CreateToken>, actor: string) {
    let userId = b.userId;
    if (userId === undefined) {
      const admin = await this.users.byName(ADMIN_USER_NAME);
      if (!admin) throw new DomainError('internal', 500, 'the built-in admin user is missing');
      userId = admin.id;
    } else if (!(await this.users.byId(userId))) {
      throw badRequest(`userId: user ${userId} does not exist`, { field: 'userId' });
    }
    if (b.group) await this.assertGroup(b.group);
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
        logBodies: b.logBodies,
        status: effectiveStatus(b.status, { expiresAt, quotaMicros, usedQuotaMicros: 0n }),
      },
      (t) => ({ actor, action: 'create', entity: 'token', entityId: t.id, after: tokenView(t) }),
    );
    // A client that tried the key a moment early may have a cached "unknown key" answer.
    this.changed([token.keyHash]);
    // The only time the full key is shown; only its sha256 is stored.
    return { ...tokenView(token), key };
  }

  async updateToken(id: string | undefined, b: z.infer<typeof UpdateToken>, actor: string) {
    const before = await this.findToken(id);
    if (b.group) await this.assertGroup(b.group);
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
        logBodies: b.logBodies,
        status: effectiveStatus((b.status ?? current.status) as TokenStatus, { expiresAt, quotaMicros, usedQuotaMicros: current.usedQuotaMicros }),
      }),
      (current, t) => ({ actor, action: 'update', entity: 'token', entityId: t.id, before: tokenView(current), after: tokenView(t) }),
    );
    if (!after) throw notFound('token');
    this.changed([after.keyHash], false, b.quota !== undefined ? { tokenIds: [after.id], userIds: [] } : undefined);
    return tokenView(after);
  }

  async deleteToken(id: string | undefined, actor: string) {
    const before = await this.findToken(id);
    await this.tokens.delete(before.id, { actor, action: 'delete', entity: 'token', entityId: before.id, before: tokenView(before) });
    this.changed([before.keyHash]);
    return { deleted: true as const };
  }

  // ---- groups
  async listGroups(q: z.output<typeof AuthListQuery>) {
    const { rows, total } = await this.groups.page(q.limit, q.offset);
    return { data: rows.map((g) => ({ ...groupView(g), userCount: g.userCount, tokenCount: g.tokenCount })), total };
  }

  async getGroup(name: string | undefined) {
    return groupView(await this.findGroup(name));
  }

  private async findGroup(name: string | undefined) {
    const group = name ? await this.groups.byName(name) : null;
    if (!group) throw notFound('group');
    return group;
  }

  async createGroup(b: z.infer<typeof CreateGroup>, actor: string) {
    if (await this.groups.byName(b.name)) throw duplicate(`group "${b.name}"`);
    const g = await this.groups
      .create({ ...b, priceRatio: new Prisma.Decimal(b.priceRatio) }, (row) => ({
        actor,
        action: 'create',
        entity: 'group',
        entityId: row.name,
        after: groupView(row),
      }))
      .catch((e) => uniqueViolation(e, `group "${b.name}"`));
    // No key can be in a group that did not exist, so no cached verification is stale.
    return groupView(g);
  }

  async updateGroup(name: string | undefined, b: z.infer<typeof UpdateGroup>, actor: string) {
    const before = await this.findGroup(name);
    const after = await this.groups.update(
      before.name,
      { ...b, priceRatio: b.priceRatio === undefined ? undefined : new Prisma.Decimal(b.priceRatio) },
      (row) => ({ actor, action: 'update', entity: 'group', entityId: row.name, before: groupView(before), after: groupView(row) }),
    );
    // Every key whose user or token names this group carries its ratio and limits: cheaper to drop all than to find them.
    this.changed([], true);
    return groupView(after);
  }
}
