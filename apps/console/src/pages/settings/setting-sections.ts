import type { EffectiveSetting } from '@switchboard/config';

/** The settings page's groups, in display order; a variable no rule claims lands in `other` (and a spec says so). */
export const SETTING_SECTIONS = ['server', 'security', 'stores', 'requests', 'upstreams', 'health', 'billing', 'alerts', 'other'] as const;
export type SettingSection = (typeof SETTING_SECTIONS)[number];

const RULES: [RegExp, SettingSection][] = [
  [/^(PORT|HOST|DATA_DIR|LOG_LEVEL|SHUTDOWN_TIMEOUT_MS|TRUSTED_PROXIES|GATEWAY_WORKERS)$/, 'server'],
  [/^(ADMIN_KEY|SECRET_KEY|ROOT_USERNAME|ROOT_PASSWORD|REGISTRATION_ENABLED|USER_MAX_TOKENS)$/, 'security'],
  [/^(OIDC_|WEBAUTHN_)/, 'security'],
  [/^(DATABASE_URL|REDIS_|NATS_|EMBEDDED_DB_HOST)/, 'stores'],
  [/^(MAX_|HTTP_)/, 'requests'],
  [/^(UPSTREAM_|RETRY_BUDGET|UNPRICED_MODEL_POLICY|AIHUBMIX_|KEY_ALLOWANCE_|CHANNEL_BALANCE_)/, 'upstreams'],
  [/^(BAN_|CHANNEL_CHECK_)/, 'health'],
  [/^(BALANCE_|LEDGER_|QUOTA_|LOG_RETENTION_|LOG_BODY_|BUDGET_|STRIPE_)/, 'billing'],
  [/^(SMTP_URL|ALERT_)/, 'alerts'],
];

export function sectionOf(name: string): SettingSection {
  return RULES.find(([re]) => re.test(name))?.[1] ?? 'other';
}

/** The rows a search and the "changed only" switch leave, grouped by section in display order. */
export function groupSettings(rows: EffectiveSetting[], search: string, changedOnly: boolean): [SettingSection, EffectiveSetting[]][] {
  const q = search.trim().toLowerCase();
  const kept = rows.filter(
    (r) =>
      (!changedOnly || r.source !== 'default') &&
      (!q ||
        r.name.toLowerCase().includes(q) ||
        String(r.value ?? '')
          .toLowerCase()
          .includes(q)),
  );
  return SETTING_SECTIONS.map((s) => [s, kept.filter((r) => sectionOf(r.name) === s)] as [SettingSection, EffectiveSetting[]]).filter(([, r]) => r.length > 0);
}

/** `93784` seconds → `{ d: 1, h: 2, m: 3 }`: an uptime a person reads at a glance. */
export function uptimeParts(seconds: number): { d: number; h: number; m: number } {
  const s = Math.max(0, Math.floor(seconds));
  return { d: Math.floor(s / 86_400), h: Math.floor((s % 86_400) / 3600), m: Math.floor((s % 3600) / 60) };
}

/** Which uptime wording fits: days and hours, hours and minutes, or minutes alone. */
export function uptimeUnit(p: { d: number; h: number }): 'days' | 'hours' | 'minutes' {
  return p.d > 0 ? 'days' : p.h > 0 ? 'hours' : 'minutes';
}

const trim = (n: number) => String(Number(n.toFixed(2)));

/**
 * A raw number in the unit its name carries, for reading beside it: `10485760` bytes → `10 MiB`, `600000` ms →
 * `10 min`. Undefined when the name has no unit or the value says nothing more (`128`, `0`).
 */
export function unitHint(name: string, value: EffectiveSetting['value']): string | undefined {
  if (typeof value !== 'number' || value === 0) return undefined;
  if (name.endsWith('_BYTES')) {
    if (value >= 1024 ** 3) return `${trim(value / 1024 ** 3)} GiB`;
    if (value >= 1024 ** 2) return `${trim(value / 1024 ** 2)} MiB`;
    return value >= 1024 ? `${trim(value / 1024)} KiB` : undefined;
  }
  if (name.endsWith('_MS')) {
    if (value >= 3_600_000) return `${trim(value / 3_600_000)} h`;
    if (value >= 60_000) return `${trim(value / 60_000)} min`;
    return value >= 1000 ? `${trim(value / 1000)} s` : undefined;
  }
  return undefined;
}
