import { PluginConfigRepository } from './plugins/plugin-config.repository';
import { PluginConfigService } from './plugins/plugin-config.service';
import { McpServerRepository } from './mcp/mcp-server.repository';
import { McpServerService } from './mcp/mcp-server.service';
import { Module } from '@nestjs/common';
import { APP_CONFIG, redisConnectionOptions, type AppConfig } from '@switchboard/config';
import { HEALTH_STORE, banPolicyFrom, createHealthStore } from '@switchboard/health';
import { ChannelAccountRepository } from './accounts/channel-account.repository';
import { ChannelAccountService } from './accounts/channel-account.service';
import { ALERT_CONTROLLERS, ALERT_PROVIDERS } from './alerts';
import { AihubmixEnvChannel } from './channels/aihubmix-env.channel';
import { AliasRepository } from './channels/alias.repository';
import { LegacyChannelSecretsMigration } from './channels/legacy-channel-secrets.migration';
import { ChannelProber } from './health/channel-prober';
import { ProbeWorker } from './health/probe.worker';
import { ChannelAdminService } from './channels/channel-admin.service';
import { ChannelRepository } from './channels/channel.repository';
import { RouterRpcController } from './router.rpc-controller';
import { RoutingTableService } from './table/routing-table.service';

/** Channels, keys, aliases; the routing table gateways select from; health checks, probes and bans; alerts. */
@Module({
  controllers: [RouterRpcController, ...ALERT_CONTROLLERS],
  providers: [
    ChannelRepository,
    AliasRepository,
    RoutingTableService,
    ChannelAdminService,
    PluginConfigRepository,
    PluginConfigService,
    // MCP servers fronted at /mcp/{name} (mcp/)
    McpServerRepository,
    McpServerService,
    ChannelProber,
    LegacyChannelSecretsMigration,
    AihubmixEnvChannel,
    ProbeWorker,
    ChannelAccountRepository,
    ChannelAccountService,
    ...ALERT_PROVIDERS,
    { provide: HEALTH_STORE, useFactory: (c: AppConfig) => createHealthStore(c.REDIS_URL, banPolicyFrom(c), redisConnectionOptions(c)), inject: [APP_CONFIG] },
  ],
})
export class RouterModule {}
