import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import type { RoutingTable } from '@switchboard/contracts';
import type { Channel, ChannelKey } from '@switchboard/db';
import { readChannelSecrets, type ChannelSecrets } from '../channels/channel-secrets';
import { channelConfig, declaredEndpoints } from '../channels/channel.views';
import { ChannelRepository, type Channels } from '../channels/channel.repository';
import { McpServerService } from '../mcp/mcp-server.service';
import { PluginConfigService } from '../plugins/plugin-config.service';

/** The allowance gateways select by: only a reported limit above zero says how close the key is to it. */
function keyAllowanceRoute(k: ChannelKey): { allowance?: { ratio: number; resetAt: number | null } } {
  if (k.allowanceUsed === null || k.allowanceLimit === null || !(k.allowanceLimit > 0)) return {};
  return { allowance: { ratio: Math.max(0, k.allowanceUsed / k.allowanceLimit), resetAt: k.allowanceResetAt?.getTime() ?? null } };
}

const asStringMap = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {};

/**
 * The snapshot gateways select from locally: every channel (keys still encrypted; headers and overrides decrypted,
 * the gateway sends them upstream as they are) and alias. Only gateways may read the router's replies (NATS
 * permissions, deploy/nats/nats.conf).
 */
@Injectable()
export class RoutingTableService {
  private readonly logger = new Logger(RoutingTableService.name);
  private readonly box: SecretBox;

  constructor(
    @Inject(ChannelRepository) private readonly channels: Channels,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() private readonly plugins?: PluginConfigService,
    @Optional() private readonly mcp?: McpServerService,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
  }

  private secrets(c: Channel): ChannelSecrets {
    try {
      return readChannelSecrets(c, this.box);
    } catch {
      this.logger.error(`channel ${c.id}: headers/paramOverride cannot be decrypted with this SECRET_KEY`);
      return { headers: {}, paramOverride: {} };
    }
  }

  async snapshot(): Promise<RoutingTable> {
    const [channels, aliases, plugins, mcpServers] = await Promise.all([
      this.channels.enabledWithKeys(),
      this.channels.aliases(),
      this.plugins?.routed() ?? [],
      this.mcp?.routed() ?? [],
    ]);
    return {
      version: Date.now(),
      channels: channels.map((c) => ({
        id: c.id,
        name: c.name,
        type: c.type,
        baseUrl: c.baseUrl,
        keyMode: c.keyMode === 'round_robin' ? 'round_robin' : 'random',
        keys: c.keys
          .sort((a, b) => a.position - b.position)
          .map((k) => ({
            index: k.position,
            ciphertext: k.keyCiphertext,
            status: k.status as 'enabled' | 'disabled' | 'auto_disabled',
            id: k.id,
            ...keyAllowanceRoute(k),
          })),
        models: c.models,
        modelMapping: asStringMap(c.modelMapping),
        groups: c.groups,
        priority: c.priority,
        weight: c.weight,
        ...this.secrets(c),
        statusCodeMapping: Object.fromEntries(Object.entries(asStringMap(c.statusCodeMapping)).map(([k, v]) => [k, Number(v)])),
        timeouts: (c.timeouts ?? null) as RoutingTable['channels'][number]['timeouts'],
        autoBan: c.autoBan,
        endpoints: declaredEndpoints(c),
        config: channelConfig(c),
      })),
      aliases: aliases.map((a) => ({
        name: a.name,
        targets: Array.isArray(a.targets) ? (a.targets as { model: string; weight: number }[]) : [],
        fallbacks: a.fallbacks,
      })),
      plugins,
      mcpServers,
    };
  }
}
