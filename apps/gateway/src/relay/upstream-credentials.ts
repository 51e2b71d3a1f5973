import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, redisConnectionOptions, type AppConfig } from '@switchboard/config';
import { failFastOnceConnected, REDIS_OUTAGE_OPTIONS } from '@switchboard/limits';
import {
  CredentialError,
  defaultProviderServices,
  providerFor,
  sharedProviderServices,
  type CredentialContext,
  type ProviderServices,
} from '@switchboard/providers';
import { Redis } from 'ioredis';
import type { RuntimeChannel, RuntimeKey } from '../state/routing-table.service';
import type { AttemptContext } from './attempt-context';
import { transportFailure, type AttemptFailure, type FailoverPolicy } from './failover-policy';

/**
 * The provider's per-attempt credential step (SigV4 signing, minted or refreshed tokens) on the request the attempt
 * built; providers without one cost nothing here. Holds the services those steps share: with REDIS_URL a token cache
 * in Redis (one refresh per credential across every replica, rotated refresh tokens kept sealed there), else the
 * process' own (rotated refresh tokens in DATA_DIR).
 */
@Injectable()
export class UpstreamCredentials implements OnModuleDestroy {
  readonly services: ProviderServices;
  private readonly redis: Redis | null = null;

  constructor(@Optional() @Inject(APP_CONFIG) config?: Pick<AppConfig, 'REDIS_URL' | 'REDIS_TLS_CA' | 'DATA_DIR' | 'SECRET_KEY'>) {
    if (!config?.SECRET_KEY) {
      this.services = defaultProviderServices();
      return;
    }
    const box = new SecretBox(config.SECRET_KEY);
    if (config.REDIS_URL) this.redis = failFastOnceConnected(new Redis(config.REDIS_URL, { ...REDIS_OUTAGE_OPTIONS, ...redisConnectionOptions(config) }));
    this.services = sharedProviderServices({ redis: this.redis ?? undefined, dataDir: config.DATA_DIR, box });
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }

  private credential(channel: RuntimeChannel, key: RuntimeKey): CredentialContext {
    return { channelId: channel.id, keyIndex: key.index, apiKey: key.key, baseUrl: channel.baseUrl, config: channel.config ?? {}, services: this.services };
  }

  /** Whether `status` may mean the channel's minted credential went stale (the attempt then renews it and retries once). */
  stale(channel: RuntimeChannel, status: number): boolean {
    const adapter = providerFor(channel.type);
    if (!adapter?.credentialRejected) return false;
    return (adapter.staleCredentialStatuses ?? [401]).includes(status);
  }

  /** Undefined when the request is ready to send; a failure naming the key (401/403) or the upstream otherwise. */
  async prepare(ctx: AttemptContext, channel: RuntimeChannel, key: RuntimeKey, policy: FailoverPolicy): Promise<AttemptFailure | undefined> {
    const adapter = providerFor(channel.type);
    if (!adapter?.prepare) return undefined;
    const req = { url: ctx.url, headers: ctx.headers!, body: ctx.body };
    try {
      await adapter.prepare(req, this.credential(channel, key), ctx.upstreamProtocol);
    } catch (e) {
      const message = `credentials: ${(e as Error).message}`;
      if (e instanceof CredentialError && (e.status === 401 || e.status === 403)) return policy.httpFailure(e.status, { status: e.status, message });
      return transportFailure(502, 'connect', message);
    }
    ctx.url = req.url;
    ctx.headers = req.headers;
    ctx.body = req.body;
    return undefined;
  }

  /** The upstream answered 401 to a prepared credential: its cached token is dropped before the next attempt. */
  rejected(channel: RuntimeChannel, key: RuntimeKey): void {
    providerFor(channel.type)?.credentialRejected?.(this.credential(channel, key));
  }
}
