import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { readChannelSecrets, sealChannelSecrets } from './channel-secrets';
import { ChannelRepository, type LegacySecretChannels } from './channel.repository';

/**
 * Channels stored before headers and paramOverride were encrypted keep them in plain-text legacy columns (SQL
 * migrations cannot encrypt: SECRET_KEY is not in the database). At start the router encrypts them and clears the
 * plain text; until then every reader falls back to it, so nothing waits for this. Idempotent across replicas.
 */
@Injectable()
export class LegacyChannelSecretsMigration implements OnModuleInit {
  private readonly logger = new Logger(LegacyChannelSecretsMigration.name);
  private readonly box: SecretBox;

  constructor(
    @Inject(ChannelRepository) private readonly channels: LegacySecretChannels,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
  }

  // onModuleInit: done before any bootstrap hook (the aihubmix channel from the environment) writes channels.
  async onModuleInit(): Promise<void> {
    const legacy = await this.channels.withLegacySecrets();
    for (const c of legacy) await this.channels.storeSecrets(c.id, sealChannelSecrets(readChannelSecrets(c, this.box), this.box));
    if (legacy.length) this.logger.log(`encrypted the headers and paramOverride of ${legacy.length} channel(s) stored in plain text`);
  }
}
