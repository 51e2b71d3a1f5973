import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Subjects } from '@switchboard/contracts';
import { PrismaService } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';

const SWEEP_INTERVAL_MS = 5_000;

/**
 * Flips tokens past their `expiresAt` to `expired`. The gateway already refuses them from its cached `expiresAt`
 * the moment they expire; this makes the stored status (what the admin API lists) tell the same truth without
 * waiting for the next cache miss. Safe with several auth replicas: the UPDATE only returns rows it flipped.
 */
@Injectable()
export class TokenExpiryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TokenExpiryService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: Bus,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.expireDue().catch((e: unknown) => this.logger.warn(`expiry sweep failed: ${(e as Error).message}`));
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Flips every active token whose time is up; tells the gateways. Returns the flipped key hashes. */
  async expireDue(now = new Date()): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ keyHash: string }[]>`
      UPDATE tokens SET status = 'expired', "updatedAt" = now()
      WHERE status = 'active' AND "expiresAt" IS NOT NULL AND "expiresAt" <= ${now}
      RETURNING "keyHash"`;
    const hashes = rows.map((r) => r.keyHash);
    if (hashes.length) this.bus.emit(Subjects.AuthChanged, { keyHashes: hashes, all: false });
    return hashes;
  }
}
