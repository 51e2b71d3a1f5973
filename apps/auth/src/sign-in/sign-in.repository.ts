import { Injectable } from '@nestjs/common';
import { PrismaService, type Passkey, type UserIdentity } from '@switchboard/db';

/** What the sign-in service needs from the database; unit tests may implement it in memory. */
export type SignInStore = Pick<SignInRepository, keyof SignInRepository>;

/** OIDC identity links, passkey credentials and pending WebAuthn challenges; each one-time use is one conditional write. */
@Injectable()
export class SignInRepository {
  constructor(private readonly prisma: PrismaService) {}

  identity(issuer: string, subject: string): Promise<UserIdentity | null> {
    return this.prisma.userIdentity.findUnique({ where: { issuer_subject: { issuer, subject } } });
  }

  async link(userId: number, issuer: string, subject: string, email: string | undefined): Promise<void> {
    await this.prisma.userIdentity.create({ data: { userId, issuer, subject, email: email ?? null } });
  }

  async touchIdentity(id: number, email: string | undefined): Promise<void> {
    await this.prisma.userIdentity.update({ where: { id }, data: { lastUsedAt: new Date(), ...(email ? { email } : {}) } });
  }

  /** Keeps a challenge until `expiresAt`; expired ones are swept on the way (the table stays small). */
  async putChallenge(challenge: string, userId: number | null, expiresAt: Date): Promise<void> {
    await this.prisma.passkeyChallenge.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    await this.prisma.passkeyChallenge.create({ data: { challenge, userId, expiresAt } });
  }

  /** Spends a live challenge handed out to `userId` (null: a sign-in); false when unknown, expired, used or another user's. */
  async consumeChallenge(challenge: string, userId: number | null): Promise<boolean> {
    const { count } = await this.prisma.passkeyChallenge.deleteMany({ where: { challenge, userId, expiresAt: { gt: new Date() } } });
    return count === 1;
  }

  passkeys(userId: number): Promise<Passkey[]> {
    return this.prisma.passkey.findMany({ where: { userId }, orderBy: { id: 'asc' } });
  }

  passkey(id: number): Promise<Passkey | null> {
    return this.prisma.passkey.findUnique({ where: { id } });
  }

  byCredentialId(credentialId: string): Promise<Passkey | null> {
    return this.prisma.passkey.findUnique({ where: { credentialId } });
  }

  addPasskey(data: {
    userId: number;
    credentialId: string;
    publicKey: string;
    counter: number;
    transports: string[];
    name: string;
    backedUp: boolean;
  }): Promise<Passkey> {
    return this.prisma.passkey.create({ data: { ...data, counter: BigInt(data.counter) } });
  }

  /**
   * Records a sign-in's signature counter: it must exceed the stored one (an authenticator without a counter sends 0
   * each time and stays at 0). False when another sign-in got there first with this or a later counter (a replay).
   */
  async advanceCounter(id: number, counter: number): Promise<boolean> {
    const next = BigInt(counter);
    const { count } = await this.prisma.passkey.updateMany({
      where: { id, ...(counter === 0 ? { counter: 0n } : { counter: { lt: next } }) },
      data: { counter: next, lastUsedAt: new Date() },
    });
    return count === 1;
  }

  async renamePasskey(id: number, name: string): Promise<Passkey> {
    return this.prisma.passkey.update({ where: { id }, data: { name } });
  }

  async deletePasskey(id: number): Promise<void> {
    await this.prisma.passkey.delete({ where: { id } });
  }
}
