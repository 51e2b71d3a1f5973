import type { AppConfig } from '@switchboard/config';
import type { PrismaService } from '@switchboard/db';
import { MemoryHealthStore, type Ban } from '@switchboard/health';
import type { Bus } from '@switchboard/messaging';
import type { ChannelProber } from './channel-prober';
import { ProbeWorker } from './probe.worker';

describe('ProbeWorker and autoBan', () => {
  const now = Date.now();
  const setup = async (autoBan: boolean) => {
    const store = new MemoryHealthStore();
    const bans: Ban[] = [
      { channelId: 1, keyIndex: 0, reason: 'auth', until: now + 86_400_000, nextProbeAt: now - 1 },
      { channelId: 1, model: 'm', reason: 'error_rate', until: now + 60_000, nextProbeAt: now - 1 },
    ];
    for (const b of bans) await store.setBan(b);
    const emitted: unknown[] = [];
    const probe = jest.fn(async () => ({ ok: false, status: 500, responseTimeMs: 1, error: 'still down' }));
    const prisma = { channel: { findUnique: async () => ({ id: 1, autoBan, keys: [], models: ['m'], testModel: 'm' }) } } as unknown as PrismaService;
    const worker = new ProbeWorker(
      prisma,
      { probe } as unknown as ChannelProber,
      { emit: (_s: string, p: unknown) => emitted.push(p) } as unknown as Bus,
      store,
      { BAN_PROBE_INTERVAL_MS: 1000, BAN_DURATION_MS: 60_000, CHANNEL_CHECK_INTERVAL_MS: 0 } as AppConfig,
    );
    await worker.probeDueBans(now);
    return { store, probe, emitted };
  };

  it('lifts the bans of a channel whose autoBan was switched off, without probing it', async () => {
    const { store, probe, emitted } = await setup(false);
    expect(await store.bans(now)).toEqual([]);
    expect(probe).not.toHaveBeenCalled();
    expect(emitted).toEqual(expect.arrayContaining([{ set: [], lifted: [{ channelId: 1, keyIndex: 0 }] }, { set: [], lifted: [{ channelId: 1, model: 'm' }] }]));
  });

  it('probes and renews them while autoBan is on', async () => {
    const { store, probe } = await setup(true);
    expect(probe).toHaveBeenCalledTimes(2);
    expect(await store.bans(now)).toHaveLength(2);
  });
});
