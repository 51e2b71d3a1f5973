import { Logger } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import type { AppConfig } from '@switchboard/config';
import type { Channel } from '@switchboard/db';
import type { LegacySecretChannels } from './channel.repository';
import { readChannelSecrets } from './channel-secrets';
import { LegacyChannelSecretsMigration } from './legacy-channel-secrets.migration';

const SECRET_KEY = 'ef'.repeat(32);

describe('LegacyChannelSecretsMigration', () => {
  beforeAll(() => Logger.overrideLogger(['fatal']));

  it('seals the plain-text secrets of each legacy channel with SECRET_KEY and clears the plain text', async () => {
    const legacy = { id: 3, headersCiphertext: null, paramOverrideCiphertext: null, legacyHeaders: { 'x-a': '1' }, legacyParamOverride: { t: 0.2 } };
    const stored: [number, Record<string, unknown>][] = [];
    const channels: LegacySecretChannels = {
      withLegacySecrets: () => Promise.resolve([legacy as unknown as Channel]),
      storeSecrets: (id, sealed) => Promise.resolve(void stored.push([id, sealed])),
    };
    await new LegacyChannelSecretsMigration(channels, { SECRET_KEY } as AppConfig).onModuleInit();
    expect(stored).toHaveLength(1);
    const [id, sealed] = stored[0];
    expect(id).toBe(3);
    expect(JSON.stringify(sealed)).not.toContain('x-a');
    const after = { ...legacy, ...sealed, legacyHeaders: null, legacyParamOverride: null };
    expect(readChannelSecrets(after as unknown as Channel, new SecretBox(SECRET_KEY))).toEqual({ headers: { 'x-a': '1' }, paramOverride: { t: 0.2 } });
    expect(sealed).toHaveProperty('legacyHeaders');
    expect(sealed).toHaveProperty('legacyParamOverride');
  });
});
