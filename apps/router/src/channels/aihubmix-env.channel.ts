import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { Subjects } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import { readChannelSecrets, sealChannelSecrets } from './channel-secrets';
import { ChannelRepository, type EnvChannels } from './channel.repository';

export const AIHUBMIX_CHANNEL_NAME = 'aihubmix';

/**
 * SPEC §3: with AIHUBMIX_API_KEY set at start, an `aihubmix` channel is created (serving every model, `*`) or, if
 * it exists, its base URL, key and APP-Code header are brought up to date; the admin's other edits are kept.
 */
@Injectable()
export class AihubmixEnvChannel implements OnApplicationBootstrap {
  private readonly logger = new Logger(AihubmixEnvChannel.name);

  constructor(
    @Inject(ChannelRepository) private readonly channels: EnvChannels,
    private readonly bus: Bus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.AIHUBMIX_API_KEY;
    if (!key) return;
    const box = new SecretBox(this.config.SECRET_KEY);
    const keyRow = { position: 0, keyCiphertext: box.encrypt(key), keyHint: key.slice(-4), status: 'enabled' };
    const baseUrl = this.config.AIHUBMIX_BASE_URL;
    await this.channels.upsertByName(
      AIHUBMIX_CHANNEL_NAME,
      [keyRow],
      (existing) => {
        const headers = { ...(existing ? readChannelSecrets(existing, box).headers : {}) };
        if (this.config.AIHUBMIX_APP_CODE) headers['APP-Code'] = this.config.AIHUBMIX_APP_CODE;
        const sealed = sealChannelSecrets({ headers }, box);
        return {
          update: { type: 'aihubmix', baseUrl, ...sealed },
          create: { name: AIHUBMIX_CHANNEL_NAME, type: 'aihubmix', baseUrl, keyMode: 'random', models: ['*'], groups: ['default'], ...sealed },
        };
      },
      (action, id) => ({ actor: 'env', action, entity: 'channel', entityId: id, after: { name: AIHUBMIX_CHANNEL_NAME, baseUrl } }),
    );
    this.logger.log(`aihubmix channel configured from the environment (${this.config.AIHUBMIX_BASE_URL})`);
    this.bus.emit(Subjects.RouterTableChanged, { version: Date.now() });
  }
}
