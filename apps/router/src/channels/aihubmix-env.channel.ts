import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { Subjects } from '@switchboard/contracts';
import { PrismaService, recordAudit } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import { readChannelSecrets, sealChannelSecrets } from './channel-secrets';

export const AIHUBMIX_CHANNEL_NAME = 'aihubmix';

/**
 * SPEC §3: with AIHUBMIX_API_KEY set at start, an `aihubmix` channel is created (serving every model, `*`) or, if
 * it exists, its base URL, key and APP-Code header are brought up to date; the admin's other edits are kept.
 */
@Injectable()
export class AihubmixEnvChannel implements OnApplicationBootstrap {
  private readonly logger = new Logger(AihubmixEnvChannel.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly bus: Bus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.AIHUBMIX_API_KEY;
    if (!key) return;
    const box = new SecretBox(this.config.SECRET_KEY);
    const keyRow = { position: 0, keyCiphertext: box.encrypt(key), keyHint: key.slice(-4), status: 'enabled' };
    await this.prisma.$transaction(async (tx) => {
      const existing = await tx.channel.findUnique({ where: { name: AIHUBMIX_CHANNEL_NAME } });
      const headers = { ...(existing ? readChannelSecrets(existing, box).headers : {}) };
      if (this.config.AIHUBMIX_APP_CODE) headers['APP-Code'] = this.config.AIHUBMIX_APP_CODE;
      if (existing) {
        await tx.channelKey.deleteMany({ where: { channelId: existing.id } });
        await tx.channel.update({
          where: { id: existing.id },
          data: { type: 'aihubmix', baseUrl: this.config.AIHUBMIX_BASE_URL, ...sealChannelSecrets({ headers }, box), keys: { create: [keyRow] } },
        });
        await recordAudit(tx, {
          actor: 'env',
          action: 'update',
          entity: 'channel',
          entityId: existing.id,
          after: { name: AIHUBMIX_CHANNEL_NAME, baseUrl: this.config.AIHUBMIX_BASE_URL },
        });
      } else {
        const c = await tx.channel.create({
          data: {
            name: AIHUBMIX_CHANNEL_NAME,
            type: 'aihubmix',
            baseUrl: this.config.AIHUBMIX_BASE_URL,
            keyMode: 'random',
            models: ['*'],
            groups: ['default'],
            ...sealChannelSecrets({ headers }, box),
            keys: { create: [keyRow] },
          },
        });
        await recordAudit(tx, {
          actor: 'env',
          action: 'create',
          entity: 'channel',
          entityId: c.id,
          after: { name: AIHUBMIX_CHANNEL_NAME, baseUrl: this.config.AIHUBMIX_BASE_URL },
        });
      }
    });
    this.logger.log(`aihubmix channel configured from the environment (${this.config.AIHUBMIX_BASE_URL})`);
    this.bus.emit(Subjects.RouterTableChanged, { version: Date.now() });
  }
}
