import { Inject, Injectable, Logger } from '@nestjs/common';
import { maskSecret, SecretBox } from '@switchboard/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import {
  DomainError,
  notFound,
  PLUGIN_DEFAULT_SCOPE,
  PLUGIN_NAMES,
  PLUGIN_SECRET_FIELDS,
  PLUGIN_SETTINGS,
  pluginConfigSchema,
  pluginUpdateSchema,
  Subjects,
  type PluginConfig,
  type PluginName,
  type RoutedPlugin,
} from '@switchboard/contracts';
import type { PluginConfig as PluginRow } from '@switchboard/db';
import { Bus } from '@switchboard/messaging';
import { PluginConfigRepository, type PluginConfigs } from './plugin-config.repository';

const SEALED = 'sealed:';

const isName = (n: string | undefined): n is PluginName => (PLUGIN_NAMES as readonly string[]).includes(n ?? '');

/**
 * The relay plugins' configuration (`/api/plugins`): validated per plugin, secret settings sealed with SECRET_KEY and
 * answered masked, every change audited and pushed to the gateways with the routing table (which carries the enabled
 * plugins with their secrets open, like channel keys).
 */
@Injectable()
export class PluginConfigService {
  private readonly logger = new Logger(PluginConfigService.name);
  private readonly box: SecretBox;

  constructor(
    @Inject(PluginConfigRepository) private readonly repo: PluginConfigs,
    private readonly bus: Bus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.SECRET_KEY);
  }

  /** The stored configuration over the defaults, secrets still sealed. */
  private stored(name: PluginName, row: PluginRow | null): PluginConfig {
    const saved = row && row.config && typeof row.config === 'object' && !Array.isArray(row.config) ? (row.config as Record<string, unknown>) : {};
    return { ...PLUGIN_DEFAULT_SCOPE, ...PLUGIN_SETTINGS[name].defaults, ...saved };
  }

  private view(name: PluginName, config: PluginConfig, row: PluginRow | null) {
    const out: Record<string, unknown> = { name, ...config, updatedAt: row?.updatedAt.toISOString() ?? null };
    for (const f of PLUGIN_SECRET_FIELDS[name]) {
      const v = config[f];
      if (typeof v === 'string') out[f] = maskSecret(this.open(v));
    }
    return out as { name: string; enabled: boolean; updatedAt: string | null } & Record<string, unknown>;
  }

  private open(v: string): string {
    return v.startsWith(SEALED) ? this.box.decrypt(v.slice(SEALED.length)) : v;
  }

  private name(name: string | undefined): PluginName {
    if (!isName(name)) throw notFound(`plugin "${name}"`);
    return name;
  }

  async list() {
    const rows = new Map((await this.repo.all()).map((r) => [r.name, r]));
    return PLUGIN_NAMES.map((n) => this.view(n, this.stored(n, rows.get(n) ?? null), rows.get(n) ?? null));
  }

  async get(name: string | undefined) {
    const n = this.name(name);
    const row = await this.repo.find(n);
    return this.view(n, this.stored(n, row), row);
  }

  async put(name: string | undefined, body: unknown, actor: string) {
    const n = this.name(name);
    const patch = pluginUpdateSchema(n).safeParse(body);
    if (!patch.success) {
      const issue = patch.error.issues[0];
      const field = issue.path.join('.');
      throw new DomainError('invalid_request', 400, `${field ? `${field}: ` : ''}${issue.message}`, field ? { field } : undefined);
    }
    const before = await this.repo.find(n);
    const current = this.stored(n, before);
    const next: Record<string, unknown> = { ...current, ...patch.data };
    for (const f of PLUGIN_SECRET_FIELDS[n]) {
      const sent = (patch.data as Record<string, unknown>)[f];
      const old = current[f];
      // A masked value sent back (the console echoes what it read) keeps the stored secret.
      if (typeof sent === 'string' && typeof old === 'string' && sent === maskSecret(this.open(old))) next[f] = old;
      else if (typeof sent === 'string' && sent) next[f] = SEALED + this.box.encrypt(sent);
    }
    const check = pluginConfigSchema(n).safeParse({ ...next, ...this.openSecrets(n, next) });
    if (!check.success) throw new DomainError('invalid_request', 400, check.error.issues[0].message);
    const row = await this.repo.put(n, next, (r) => ({
      actor,
      action: before ? 'update' : 'create',
      entity: 'plugin',
      entityId: n,
      before: before ? this.view(n, current, before) : undefined,
      after: this.view(n, next as PluginConfig, r),
    }));
    this.bus.emit(Subjects.RouterTableChanged, { version: Date.now() });
    return this.view(n, next as PluginConfig, row);
  }

  private openSecrets(name: PluginName, config: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of PLUGIN_SECRET_FIELDS[name]) if (typeof config[f] === 'string') out[f] = this.open(config[f]);
    return out;
  }

  /** The enabled plugins for the routing table, secrets open (the table already carries channel keys). */
  async routed(): Promise<RoutedPlugin[]> {
    const out: RoutedPlugin[] = [];
    for (const row of await this.repo.all()) {
      if (!isName(row.name)) continue;
      const config = this.stored(row.name, row);
      if (!config.enabled) continue;
      try {
        const { enabled: _e, models, groups, tokens, ...settings } = { ...config, ...this.openSecrets(row.name, config) };
        out.push({ name: row.name, models, groups, tokens, settings });
      } catch {
        this.logger.error(`plugin ${row.name}: its secret settings cannot be decrypted with this SECRET_KEY; left off`);
      }
    }
    return out;
  }
}
