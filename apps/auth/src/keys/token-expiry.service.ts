import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Subjects } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import { KeyRepository, type Keys } from './key.repository';

const SWEEP_INTERVAL_MS = 5_000;

/**
 * Flips tokens past their `expiresAt` to `expired`. The gateway already refuses them from its cached `expiresAt`
 * the moment they expire; this makes the stored status (what the admin API lists) tell the same truth without
 * waiting for the next cache miss. Safe with several auth replicas: only the replica that flipped a row reports it.
 */
@Injectable()
export class TokenExpiryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TokenExpiryService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KeyRepository) private readonly keys: Keys,
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
    const hashes = await this.keys.expireDue(now);
    if (hashes.length) this.bus.emit(Subjects.AuthChanged, { keyHashes: hashes, all: false });
    return hashes;
  }
}
