import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, redisConnectionOptions, type AppConfig } from '@switchboard/config';
import { failFastOnceConnected, REDIS_OUTAGE_OPTIONS } from '@switchboard/limits';
import { Redis } from 'ioredis';
import type { Channel, ChannelKey } from '@switchboard/db';
import {
  buildUpstreamCall,
  CredentialError,
  defaultProviderServices,
  sharedProviderServices,
  isUpstreamCallFailure,
  mapStatus,
  providerFor,
  upstreamProtocolOf,
  type InboundRequest,
  type ProviderServices,
  type UpstreamChannel,
} from '@switchboard/providers';
import { request } from 'undici';
import { readChannelSecrets } from '../channels/channel-secrets';
import { channelConfig, declaredEndpoints } from '../channels/channel.views';

export interface ProbeResult {
  ok: boolean;
  status: number | null;
  responseTimeMs: number;
  error: string | null;
  model: string;
}

/** A probe never takes longer than this, whatever the channel's timeouts. */
const MAX_PROBE_MS = 30_000;
/** Of a probe's answer only the start is kept (an error's message). */
const MAX_PROBE_BODY = 64 * 1024;

const asStringMap = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {};

const inbound = (protocol: 'openai-chat' | 'rerank', body: Record<string, unknown>): InboundRequest => ({
  protocol,
  operation: protocol === 'rerank' ? 'rerank' : 'generate',
  endpoint: protocol === 'rerank' ? 'rerank' : 'chat.completions',
  model: String(body.model),
  stream: false,
  body,
  raw: Buffer.from(JSON.stringify(body)),
});

/** A one-token chat ping; a channel that cannot chat but reranks (cohere, voyage…) gets the smallest rerank instead. */
function probeCall(channel: UpstreamChannel, model: string): InboundRequest {
  const ping = inbound('openai-chat', { model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: false });
  const mapped = channel.modelMapping[model] ?? model;
  if (providerFor(channel.type)?.protocolFor(mapped, 'generate', 'openai-chat')) return ping;
  const rerank = inbound('rerank', { model, query: 'ping', documents: ['ping'] });
  return upstreamProtocolOf(channel, rerank, mapped) ? rerank : ping;
}

/**
 * One minimal generation request ("ping", 1 output token) built as the relay builds a client's (buildUpstreamCall:
 * same URL, headers, model mapping and param override), judged by the channel's statusCodeMapping like the relay.
 */
@Injectable()
export class ChannelProber implements OnModuleDestroy {
  private readonly box: SecretBox;
  /**
   * Tokens minted for probes (Vertex, Kiro…): the gateway's own cache (Redis in a cluster, this process' standalone),
   * so a probe neither refreshes a token the relay holds nor retires a refresh token the relay rotated. The account
   * reads (ChannelAccountService: Kiro's usage limits) use these too, for the same reason.
   */
  readonly services: ProviderServices;
  private readonly redis: Redis | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.box = new SecretBox(config.SECRET_KEY);
    if (config.REDIS_URL) this.redis = failFastOnceConnected(new Redis(config.REDIS_URL, { ...REDIS_OUTAGE_OPTIONS, ...redisConnectionOptions(config) }));
    this.services = config.SECRET_KEY
      ? sharedProviderServices({ redis: this.redis ?? undefined, dataDir: config.DATA_DIR, box: this.box })
      : defaultProviderServices();
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }

  /** The model a probe asks for: the channel's test model, else its first literal model. */
  static probeModel(c: Channel): string | null {
    return c.testModel ?? c.models.find((m) => !m.includes('*')) ?? null;
  }

  async probe(channel: Channel & { keys: ChannelKey[] }, model: string, keyIndex?: number): Promise<ProbeResult> {
    const started = performance.now();
    const done = (ok: boolean, status: number | null, error: string | null): ProbeResult => ({
      ok,
      status,
      error,
      model,
      responseTimeMs: Math.round(performance.now() - started),
    });
    const adapter = providerFor(channel.type);
    if (!adapter) return done(false, null, `unknown channel type ${channel.type}`);
    const keyRow = keyIndex !== undefined ? channel.keys.find((k) => k.position === keyIndex) : channel.keys.find((k) => k.status === 'enabled');
    if (!keyRow) return done(false, null, 'no usable key');
    let apiKey: string;
    try {
      apiKey = this.box.decrypt(keyRow.keyCiphertext);
    } catch {
      return done(false, null, 'the key cannot be decrypted with this SECRET_KEY');
    }
    let runtime: UpstreamChannel;
    try {
      runtime = this.runtimeChannel(channel);
    } catch (e) {
      return done(false, null, (e as Error).message);
    }
    const call = probeCall(runtime, model);
    const built = buildUpstreamCall(runtime, apiKey, call, model, `probe_${Date.now()}`);
    if (isUpstreamCallFailure(built)) return done(false, null, built.failure === 'unsupported' ? 'the channel cannot generate' : built.message);
    const timeouts = (channel.timeouts ?? {}) as { connectMs?: number; firstByteMs?: number };
    // One deadline for the whole probe (connect, answer, body), from the channel's own timeouts: a one-token ping
    // needs no more, and a probe that hangs must end to be tried again.
    const deadlineMs = Math.min(
      (timeouts.connectMs ?? this.config.UPSTREAM_CONNECT_TIMEOUT_MS) + (timeouts.firstByteMs ?? this.config.UPSTREAM_FIRST_BYTE_TIMEOUT_MS),
      MAX_PROBE_MS,
    );
    try {
      const cred = {
        channelId: channel.id,
        keyIndex: keyRow.position,
        apiKey,
        baseUrl: runtime.baseUrl,
        config: runtime.config ?? {},
        services: this.services,
      };
      if (adapter.prepare) {
        try {
          await adapter.prepare(built, cred, built.upstreamProtocol);
        } catch (e) {
          return done(false, e instanceof CredentialError ? e.status : null, `credentials: ${(e as Error).message}`);
        }
      }
      const res = await request(built.url, {
        method: 'POST',
        headers: built.headers,
        body: built.body,
        headersTimeout: deadlineMs,
        bodyTimeout: deadlineMs,
        signal: AbortSignal.timeout(deadlineMs),
      });
      // A token the upstream no longer takes (revoked, rotated) is dropped, or the probe of a banned key would resend it forever.
      if (res.statusCode === 401) adapter.credentialRejected?.(cred);
      const status = mapStatus(runtime, res.statusCode);
      if (status < 400 && res.statusCode < 400) {
        await res.body.dump({ limit: MAX_PROBE_BODY });
        return done(true, status, null);
      }
      const parts: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= MAX_PROBE_BODY) break;
      }
      return done(false, status, Buffer.concat(parts).toString('utf8').slice(0, 300));
    } catch (e) {
      return done(false, null, (e as Error).message);
    }
  }

  /** The channel as the gateway's routing table holds it (the router's table builds the same from the row). */
  private runtimeChannel(c: Channel): UpstreamChannel {
    const secrets = readChannelSecrets(c, this.box);
    return {
      id: c.id,
      type: c.type,
      baseUrl: c.baseUrl,
      modelMapping: asStringMap(c.modelMapping),
      paramOverride: secrets.paramOverride,
      headers: secrets.headers,
      statusCodeMapping: Object.fromEntries(Object.entries(asStringMap(c.statusCodeMapping)).map(([k, v]) => [k, Number(v)])),
      endpoints: declaredEndpoints(c),
      config: channelConfig(c),
    };
  }
}
