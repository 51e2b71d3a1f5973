import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { Subjects, type RoutedAlias, type RoutedChannel, type RoutedMcpServer, type RoutingTable } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';
import { globToRegExp } from './model-pattern';
import { pluginsFor, scopePlugins, type PluginSubject, type ScopedPlugin } from '../plugins/plugin-scope';

export interface RuntimeKey {
  index: number;
  key: string;
  /** the key's row id, named in usage records (absent in tables of older routers) */
  id?: number;
  /** used / limit as the provider last reported it, and until when a used-up key stays out (epoch ms; null: unknown) */
  allowance?: { ratio: number; resetAt: number | null };
}

export interface RuntimeChannel extends Omit<RoutedChannel, 'keys'> {
  keys: RuntimeKey[];
  /** compiled model patterns (`*` wildcards) */
  matchers: RegExp[];
}

/**
 * The routing table at the edge: fetched from the router at start, again on `router.table.changed.v1` (every
 * replica gets it) and every 30 s as a safety net. Upstream keys are decrypted here, once per table.
 */
@Injectable()
export class RoutingTableService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RoutingTableService.name);
  private readonly box: SecretBox;
  private channels: RuntimeChannel[] = [];
  private aliases = new Map<string, RoutedAlias>();
  private plugins: readonly ScopedPlugin[] = [];
  private mcpServers = new Map<string, RoutedMcpServer>();
  /** Literal channel models and aliases: the only model names metrics may carry as labels (see modelLabel). */
  private labelledModels = new Set<string>();
  private version = 0;
  private ready: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;
  private pending: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly bus: Bus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
  }

  onApplicationBootstrap(): void {
    this.ready = this.refresh().catch(() => undefined);
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), 30_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Coalesces bursts of change events into at most one fetch in flight plus one after it. */
  refresh(): Promise<void> {
    if (this.pending) {
      this.again = true;
      return this.pending;
    }
    this.pending = this.fetch().finally(() => {
      this.pending = null;
      if (this.again) {
        this.again = false;
        void this.refresh().catch(() => undefined);
      }
    });
    return this.pending;
  }

  private async fetch(): Promise<void> {
    try {
      const table = await this.bus.request<RoutingTable>(Subjects.RouterTableGet, {});
      this.apply(table);
    } catch (e) {
      this.logger.warn(`routing table not loaded: ${(e as Error).message}`);
      throw e;
    }
  }

  apply(table: RoutingTable): void {
    this.channels = table.channels.map((c) => ({
      ...c,
      keys: c.keys
        .filter((k) => k.status === 'enabled')
        .flatMap((k) => {
          try {
            return [{ index: k.index, key: this.box.decrypt(k.ciphertext), id: k.id, allowance: k.allowance }];
          } catch {
            this.logger.error(`channel ${c.id}: key ${k.index} cannot be decrypted with this SECRET_KEY`);
            return [];
          }
        }),
      matchers: c.models.map(globToRegExp),
    }));
    this.aliases = new Map(table.aliases.map((a) => [a.name, a]));
    this.plugins = scopePlugins(table.plugins ?? []);
    this.mcpServers = new Map((table.mcpServers ?? []).map((m) => [m.name, m]));
    this.labelledModels = new Set([...this.channels.flatMap((c) => c.models.filter((m) => !m.includes('*'))), ...this.aliases.keys()]);
    this.version = table.version;
  }

  async ensureLoaded(): Promise<void> {
    if (this.version) return;
    await (this.ready ?? Promise.resolve());
    if (!this.version) await this.refresh();
  }

  get loaded(): boolean {
    return this.version > 0;
  }

  /**
   * The `model` label of a metric: the requested name when a channel lists it literally or it is an alias, else
   * `other`. A wildcard channel serves any name a client makes up, and each would otherwise become a series.
   */
  modelLabel(requested: string): string {
    return this.labelledModels.has(requested) ? requested : 'other';
  }

  alias(name: string): RoutedAlias | undefined {
    return this.aliases.get(name);
  }

  /** Channels that serve the model for the group (enabled ones only reach the table), whatever their health. */
  channelsFor(model: string, group: string): RuntimeChannel[] {
    return this.channels.filter((c) => c.groups.includes(group) && c.keys.length > 0 && c.matchers.some((m) => m.test(model)));
  }

  /** For tokens allowed to retry across groups: every channel that serves the model. */
  channelsForAnyGroup(model: string): RuntimeChannel[] {
    return this.channels.filter((c) => c.keys.length > 0 && c.matchers.some((m) => m.test(model)));
  }

  /** Every model name a group can use: literal channel models, wildcards expanded over `known` (priced) models, aliases. */
  modelsFor(group: string, known: readonly string[] = []): string[] {
    const out = new Set<string>();
    for (const c of this.channels) {
      if (!c.groups.includes(group)) continue;
      for (const m of c.models) if (!m.includes('*')) out.add(m);
      for (const k of known) if (c.matchers.some((r) => r.test(k))) out.add(k);
    }
    for (const a of this.aliases.keys()) out.add(a);
    return [...out].sort();
  }

  /** The enabled plugins that apply to a request, in the relay's order (usually none). */
  pluginsFor(subject: PluginSubject): readonly ScopedPlugin[] {
    return pluginsFor(this.plugins, subject);
  }

  /** The MCP server served at /mcp/{name} (mcp/). */
  mcpServer(name: string): RoutedMcpServer | undefined {
    return this.mcpServers.get(name);
  }

  mcpServerNames(): ReadonlySet<string> {
    return new Set(this.mcpServers.keys());
  }

  allChannels(): readonly RuntimeChannel[] {
    return this.channels;
  }
}
