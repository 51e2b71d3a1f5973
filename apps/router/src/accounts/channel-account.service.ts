import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, Subjects, notFound } from '@switchboard/contracts';
import type { ChannelBalance, ChannelKey } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import { processMetrics } from '@switchboard/observability';
import {
  defaultProviderServices,
  providerFor,
  reportsBalance,
  reportsKeyAllowance,
  type CredentialContext,
  type ProviderServices,
} from '@switchboard/providers';
import { ChannelRepository, type ChannelWithKeys, type Channels } from '../channels/channel.repository';
import { ChannelProber } from '../health/channel-prober';
import { channelConfig } from '../channels/channel.views';
import { ChannelAccountRepository, type AllowanceRead, type ChannelAccounts } from './channel-account.repository';

/** Reads of one kind in flight at once: a pool of hundreds of keys must not open hundreds of connections. */
const CONCURRENCY = 4;
/** After start, the first periodic read waits this long, so a restarting router does not delay its readiness. */
const FIRST_READ_DELAY_MS = 5_000;

async function eachLimited<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

/** What gateways route by (channel_keys → RoutedKey.allowance): a change of it is worth a table-changed event. */
function routedAllowance(k: Pick<ChannelKey, 'allowanceUsed' | 'allowanceLimit' | 'allowanceResetAt'>): string {
  return `${k.allowanceUsed}/${k.allowanceLimit}/${k.allowanceResetAt?.getTime() ?? ''}`;
}

/** The balance view of `GET /api/channels/:id/balance`. */
export function balanceView(b: ChannelBalance) {
  return { balance: b.balance!, currency: b.currency!, updatedAt: b.updatedAt!.toISOString(), error: b.error };
}

/**
 * What providers report of channel accounts, read with the channel's keys: every key's allowance where the adapter has
 * `keyAllowance` (KEY_ALLOWANCE_REFRESH_INTERVAL_MS, or on demand), stored per key and carried to the gateways in the
 * routing table; the account balance where it has `balance` (CHANNEL_BALANCE_REFRESH_INTERVAL_MS, or on demand),
 * stored per channel and exposed as `switchboard_channel_balance`.
 */
@Injectable()
export class ChannelAccountService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ChannelAccountService.name);
  private readonly box: SecretBox;
  private readonly timers: NodeJS.Timeout[] = [];
  /**
   * The prober's credential services: the relay's token cache and rotated refresh tokens (Redis in a cluster, DATA_DIR
   * standalone). A cache of its own would refresh a Kiro account with a refresh token the relay already rotated
   * (refused: invalid_grant) or rotate it behind the relay's back.
   */
  services: ProviderServices;

  constructor(
    @Inject(ChannelRepository) private readonly channels: Pick<Channels, 'enabledWithKeys' | 'withKeys'>,
    @Inject(ChannelAccountRepository) private readonly accounts: ChannelAccounts,
    private readonly bus: Bus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(ChannelProber) prober?: Pick<ChannelProber, 'services'>,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
    this.services = prober?.services ?? defaultProviderServices();
  }

  onApplicationBootstrap(): void {
    void this.restoreGauge();
    const every = (ms: number, run: () => Promise<unknown>) => {
      if (ms <= 0) return;
      const first = setTimeout(() => void run(), Math.min(ms, FIRST_READ_DELAY_MS));
      const timer = setInterval(() => void run(), ms);
      first.unref();
      timer.unref();
      this.timers.push(first, timer);
    };
    every(this.config.KEY_ALLOWANCE_REFRESH_INTERVAL_MS, () => this.refreshAllowances());
    every(this.config.CHANNEL_BALANCE_REFRESH_INTERVAL_MS, () => this.refreshBalances());
  }

  onModuleDestroy(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  private credential(c: ChannelWithKeys, k: ChannelKey): CredentialContext {
    return {
      channelId: c.id,
      keyIndex: k.position,
      apiKey: this.box.decrypt(k.keyCiphertext),
      baseUrl: c.baseUrl,
      config: channelConfig(c),
      services: this.services,
    };
  }

  // ---------------------------------------------------------------- key allowances

  /** Reads the allowance of every key (disabled ones too: an admin re-enabling one wants to know) of every enabled channel. */
  async refreshAllowances(): Promise<void> {
    try {
      const channels = (await this.channels.enabledWithKeys()).filter((c) => reportsKeyAllowance(c.type));
      if (!channels.length) return;
      let changed = false;
      for (const c of channels) changed = (await this.readAllowances(c)) || changed;
      if (changed) this.bus.emit(Subjects.RouterTableChanged, { version: Date.now() });
    } catch (e) {
      this.logger.warn(`key allowances not refreshed: ${(e as Error).message}`);
    }
  }

  /** `GET /api/channels/:id/keys?refresh=1`: this channel's key allowances now (a type without them: nothing to read). */
  async refreshChannelAllowances(channel: ChannelWithKeys): Promise<void> {
    if (!reportsKeyAllowance(channel.type)) return;
    if (await this.readAllowances(channel)) this.bus.emit(Subjects.RouterTableChanged, { version: Date.now() });
  }

  /** Reads and stores each key's allowance; true when what gateways route by changed. */
  private async readAllowances(c: ChannelWithKeys): Promise<boolean> {
    const adapter = providerFor(c.type)!;
    let changed = false;
    await eachLimited(c.keys, async (k) => {
      const before = routedAllowance(k);
      const at = new Date();
      let read: AllowanceRead | null | { error: string };
      try {
        const a = await adapter.keyAllowance!(this.credential(c, k));
        read = a && { used: a.used, limit: a.limit, resetAt: a.resetAt ? new Date(a.resetAt) : null };
        if (read?.resetAt && Number.isNaN(read.resetAt.getTime())) read.resetAt = null;
      } catch (e) {
        read = { error: (e as Error).message };
        this.logger.warn(`channel ${c.id} key ${k.position}: allowance not read: ${read.error}`);
      }
      await this.accounts.storeAllowance(k.id, read, at);
      if (read && 'error' in read) return;
      const after = { allowanceUsed: read?.used ?? null, allowanceLimit: read?.limit ?? null, allowanceResetAt: read?.resetAt ?? null };
      if (routedAllowance(after) !== before) changed = true;
    });
    return changed;
  }

  // ---------------------------------------------------------------- balances

  async refreshBalances(): Promise<void> {
    try {
      const channels = (await this.channels.enabledWithKeys()).filter((c) => reportsBalance(c.type));
      await eachLimited(channels, async (c) => {
        await this.readBalance(c).catch(() => undefined);
      });
      await this.restoreGauge();
    } catch (e) {
      this.logger.warn(`channel balances not refreshed: ${(e as Error).message}`);
    }
  }

  /**
   * `GET /api/channels/:id/balance`: the stored balance, read first when asked (`refresh`) or never read. 404 for an
   * unknown channel, 409 for a type whose provider reports no balance, 502 when the provider could not be read.
   */
  async balance(id: string | undefined, refresh: boolean) {
    const n = Number(id);
    const c = Number.isInteger(n) ? await this.channels.withKeys(n) : null;
    if (!c) throw notFound('channel');
    if (!reportsBalance(c.type)) {
      throw new DomainError('balance_unsupported', 409, `channels of type ${c.type} do not report a balance`, { field: 'type' });
    }
    const stored = refresh ? null : await this.accounts.balanceOf(c.id);
    if (stored?.balance !== null && stored?.balance !== undefined) return balanceView(stored);
    const row = await this.readBalance(c);
    return balanceView(row);
  }

  /** Reads with the channel's first enabled key (a balance belongs to the account, any of its keys tells it). */
  private async readBalance(c: ChannelWithKeys): Promise<ChannelBalance> {
    const key = [...c.keys].sort((a, b) => a.position - b.position).find((k) => k.status === 'enabled');
    if (!key) throw new DomainError('balance_unavailable', 409, 'the channel has no enabled key to read its balance with');
    const at = new Date();
    let row: ChannelBalance | null;
    try {
      const read = await providerFor(c.type)!.balance!(this.credential(c, key));
      if (!read) throw new Error('the provider reported no balance for this account');
      row = await this.accounts.storeBalance(c.id, read, at);
      if (row) processMetrics().channelBalance.set({ channel: String(c.id), currency: read.currency }, read.balance);
    } catch (e) {
      const message = (e as Error).message;
      this.logger.warn(`channel ${c.id}: balance not read: ${message}`);
      await this.accounts.storeBalance(c.id, { error: message }, at).catch(() => null);
      throw new DomainError('upstream_error', 502, `balance: ${message}`);
    }
    if (!row) throw notFound('channel');
    return row;
  }

  /** The gauge from the stored balances of enabled channels: a deleted or disabled channel's series goes. */
  private async restoreGauge(): Promise<void> {
    try {
      const [rows, enabled] = await Promise.all([this.accounts.balances(), this.channels.enabledWithKeys()]);
      const live = new Set(enabled.map((c) => c.id));
      const gauge = processMetrics().channelBalance;
      gauge.reset();
      // a disabled channel's last balance is history, not something to alert on
      for (const r of rows)
        if (r.balance !== null && r.currency && live.has(r.channelId)) gauge.set({ channel: String(r.channelId), currency: r.currency }, r.balance);
    } catch (e) {
      this.logger.warn(`balances not loaded: ${(e as Error).message}`);
    }
  }
}
