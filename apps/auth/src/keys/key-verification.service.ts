import { Inject, Injectable } from '@nestjs/common';
import { Subjects, type Limits, type VerifiedToken, type VerifyKeyReply, type VerifyKeyRequest } from '@switchboard/contracts';
import { modelsFromColumn } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import { Budgets } from '../budgets/budget';
import { KeyRepository, type Keys } from './key.repository';

const limits = (r: { rpm: number | null; tpm: number | null; maxConcurrency: number | null } | null): Limits => ({
  rpm: r?.rpm ?? null,
  tpm: r?.tpm ?? null,
  maxConcurrency: r?.maxConcurrency ?? null,
});

/**
 * Resolves a key hash to everything the gateway needs to admit a request; the gateway caches the answer and checks
 * it in SPEC order: exists → status → expiry → IP allow-list → model allow-list → group. The group is the token's
 * own or else its user's; it brings the price ratio and the group-wide limits. The user's own limits apply over all
 * of its tokens (SPEC §6: per token, per user and per group).
 */
@Injectable()
export class KeyVerificationService {
  constructor(
    @Inject(KeyRepository) private readonly keys: Keys,
    private readonly bus: Bus,
    private readonly budgets: Budgets,
  ) {}

  async verify(by: VerifyKeyRequest | string): Promise<VerifyKeyReply> {
    const ask = typeof by === 'string' ? { keyHash: by } : by;
    const t = 'keyHash' in ask ? await this.keys.tokenByKeyHash(ask.keyHash) : await this.keys.tokenById(ask.tokenId);
    if (!t) return { token: null };
    const keyHash = 'keyHash' in ask ? ask.keyHash : t.keyHash;
    let status = t.status as VerifiedToken['status'];
    if (status === 'active' && t.expiresAt && t.expiresAt.getTime() <= Date.now()) {
      // Expiry flips the status once, so lists show it and the audit of later edits starts from the truth. Only an
      // `active` row flips: an admin's concurrent `disabled` wins.
      const flipped = await this.keys.expireIfActive(t.id);
      status = 'expired';
      if (flipped) this.bus.emit(Subjects.AuthChanged, { keyHashes: [keyHash], all: false });
    }
    const groupName = t.group ?? t.user.group;
    const group = await this.keys.group(groupName);
    // Each budget's current period, with what the ledger already holds spent in it (the gateway seeds its counter).
    const [tokenBudget, userBudget, groupBudget] = await Promise.all([
      this.budgets.verified('token', t.id, t.budget),
      this.budgets.verified('user', t.user.id, t.user.budget),
      this.budgets.verified('group', groupName, group?.budget),
    ]);
    return {
      token: {
        tokenId: t.id,
        tokenName: t.name,
        status,
        expiresAt: t.expiresAt?.toISOString() ?? null,
        quotaMicros: t.quotaMicros === null ? null : Number(t.quotaMicros),
        usedQuotaMicros: Number(t.usedQuotaMicros),
        models: modelsFromColumn(t.models),
        allowIps: t.allowIps,
        crossGroupRetry: t.crossGroupRetry,
        logBodies: t.logBodies || (group?.logBodies ?? false),
        limits: limits(t),
        budget: tokenBudget,
        user: {
          id: t.user.id,
          name: t.user.name,
          status: t.user.status === 'disabled' ? 'disabled' : 'active',
          balanceMicros: t.user.balanceMicros === null ? null : Number(t.user.balanceMicros),
          limits: limits(t.user),
          budget: userBudget,
          orgId: t.user.orgId,
        },
        group: { name: groupName, priceRatio: group ? Number(group.priceRatio) : 1, limits: limits(group), budget: groupBudget },
      },
    };
  }
}
