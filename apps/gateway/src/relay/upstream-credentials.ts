import { Injectable } from '@nestjs/common';
import { CredentialError, defaultProviderServices, providerFor, type CredentialContext, type ProviderServices } from '@switchboard/providers';
import type { RuntimeChannel, RuntimeKey } from '../state/routing-table.service';
import type { AttemptContext } from './attempt-context';
import { transportFailure, type AttemptFailure, type FailoverPolicy } from './failover-policy';

/**
 * The provider's per-attempt credential step (SigV4 signing, minted or refreshed tokens) on the request the attempt
 * built; providers without one cost nothing here. Holds the services those steps share (the token cache).
 */
@Injectable()
export class UpstreamCredentials {
  readonly services: ProviderServices = defaultProviderServices();

  private credential(channel: RuntimeChannel, key: RuntimeKey): CredentialContext {
    return { channelId: channel.id, keyIndex: key.index, apiKey: key.key, baseUrl: channel.baseUrl, config: channel.config ?? {}, services: this.services };
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
