import { accountEn, accountZh } from '../pages/account/account.messages';
import { topupEn, topupZh } from '../pages/account/topup.messages';
import { passkeysEn, passkeysZh } from '../pages/passkeys/passkeys.messages';
import { aliasesEn, aliasesZh } from '../pages/aliases/aliases.messages';
import { budgetEn, budgetZh } from '../pages/budgets/budget.messages';
import { channelsEn, channelsZh } from '../pages/channels/channels.messages';
import { dashboardEn, dashboardZh } from '../pages/dashboard/dashboard.messages';
import { auditEn, auditZh } from '../pages/audit/audit.messages';
import { groupsEn, groupsZh } from '../pages/groups/groups.messages';
import { orgsEn, orgsZh } from '../pages/orgs/orgs.messages';
import { logsEn, logsZh } from '../pages/logs/logs.messages';
import { mcpServersEn, mcpServersZh } from '../pages/mcp-servers/mcp-servers.messages';
import { playgroundEn, playgroundZh } from '../pages/playground/playground.messages';
import { pluginsEn, pluginsZh } from '../pages/plugins/plugins.messages';
import { pricesEn, pricesZh } from '../pages/prices/prices.messages';
import { redemptionsEn, redemptionsZh } from '../pages/redemptions/redemptions.messages';
import { settingsEn, settingsZh } from '../pages/settings/settings.messages';
import { alertChannelsEn, alertChannelsZh } from '../pages/settings/alert-channels.messages';
import { tokensEn, tokensZh } from '../pages/tokens/tokens.messages';
import { usersEn, usersZh } from '../pages/users/users.messages';

/**
 * The console's words in English and Chinese: the shared ones here, each page's in its folder (`*.messages.ts`). `zh` is typed by `en`'s keys, so a string missing in one language
 * fails the type check. `{name}` placeholders are filled by `translate`.
 */

const commonEn = {
  'app.title': 'Switchboard',
  'app.skipToContent': 'Skip to content',
  'nav.label': 'Console pages',
  'nav.dashboard': 'Dashboard',
  'nav.channels': 'Channels',
  'nav.tokens': 'Tokens',
  'nav.users': 'Users',
  'nav.groups': 'Groups',
  'nav.orgs': 'Organisations',
  'nav.prices': 'Models & prices',
  'nav.aliases': 'Aliases',
  'nav.plugins': 'Plugins',
  'nav.mcpServers': 'MCP servers',
  'nav.logs': 'Request logs',
  'nav.audit': 'Audit log',
  'nav.redemptions': 'Redemption codes',
  'nav.settings': 'Settings',
  'nav.playground': 'Playground',
  'nav.toggle': 'Toggle navigation',
  'theme.toDark': 'Switch to dark theme',
  'theme.toLight': 'Switch to light theme',
  'lang.label': 'Language',
  'session.signOut': 'Sign out',
  'signIn.title': 'Sign in to Switchboard',
  'signIn.adminKey': 'Admin key',
  'signIn.adminKeyHint': 'The ADMIN_KEY of this gateway. It is sent once and never stored by the page.',
  'signIn.submit': 'Sign in',
  'signIn.failed': 'Sign-in refused: {message}',
  'signIn.method': 'Sign-in method',
  'signIn.withPassword': 'User account',
  'signIn.withAdminKey': 'ADMIN_KEY',
  'signIn.username': 'Username',
  'signIn.password': 'Password',
  'signIn.totp': 'Authentication code',
  'signIn.totpHint': 'The 6-digit code from your authenticator app, or one of your backup codes.',
  'signIn.verify': 'Verify',
  'nav.account': 'My account',
  'common.loading': 'Loading…',
  'common.error': 'Could not load: {message}',
  'common.retry': 'Retry',
  'common.none': 'Nothing yet',
  'common.page.first': 'First page',
  'common.page.previous': 'Previous page',
  'common.page.next': 'Next page',
  'common.page.last': 'Last page',
  'col.model': 'Model',
  'col.channel': 'Channel',
  'col.user': 'User',
  'col.time': 'Time',
  'col.status': 'Status',
  'col.latency': 'Latency',
  'col.name': 'Name',
  'col.type': 'Type',
  'col.bans': 'Bans',
  'col.priority': 'Priority',
  'col.weight': 'Weight',
  'col.enabled': 'Enabled',
  'col.actions': 'Actions',
};

const commonZh: Record<keyof typeof commonEn, string> = {
  'app.title': 'Switchboard',
  'app.skipToContent': '跳到正文',
  'nav.label': '控制台页面',
  'nav.dashboard': '仪表盘',
  'nav.channels': '渠道',
  'nav.tokens': '令牌',
  'nav.users': '用户',
  'nav.groups': '分组',
  'nav.orgs': '组织',
  'nav.prices': '模型与价格',
  'nav.aliases': '模型别名',
  'nav.plugins': '插件',
  'nav.mcpServers': 'MCP 服务器',
  'nav.logs': '请求日志',
  'nav.audit': '审计日志',
  'nav.redemptions': '兑换码',
  'nav.settings': '设置',
  'nav.playground': '调试台',
  'nav.toggle': '展开或收起导航',
  'theme.toDark': '切换到深色主题',
  'theme.toLight': '切换到浅色主题',
  'lang.label': '语言',
  'session.signOut': '退出登录',
  'signIn.title': '登录 Switchboard',
  'signIn.adminKey': '管理员密钥',
  'signIn.adminKeyHint': '本网关的 ADMIN_KEY。只发送一次，页面不会保存。',
  'signIn.submit': '登录',
  'signIn.failed': '登录被拒绝：{message}',
  'signIn.method': '登录方式',
  'signIn.withPassword': '用户账户',
  'signIn.withAdminKey': 'ADMIN_KEY',
  'signIn.username': '用户名',
  'signIn.password': '密码',
  'signIn.totp': '验证码',
  'signIn.totpHint': '身份验证器应用中的 6 位验证码，或一个备用码。',
  'signIn.verify': '验证',
  'nav.account': '我的账户',
  'common.loading': '加载中…',
  'common.error': '加载失败：{message}',
  'common.retry': '重试',
  'common.none': '暂无数据',
  'common.page.first': '第一页',
  'common.page.previous': '上一页',
  'common.page.next': '下一页',
  'common.page.last': '最后一页',
  'col.model': '模型',
  'col.channel': '渠道',
  'col.user': '用户',
  'col.time': '时间',
  'col.status': '状态',
  'col.latency': '延迟',
  'col.name': '名称',
  'col.type': '类型',
  'col.bans': '封禁',
  'col.priority': '优先级',
  'col.weight': '权重',
  'col.enabled': '启用',
  'col.actions': '操作',
};

type Merged<T extends object[]> = T extends [infer H, ...infer R extends object[]] ? H & Merged<R> : unknown;

/** Joins dictionaries; a key defined twice would silently hide one page's word, so it stops the console loading. */
export function mergeMessages<T extends Record<string, string>[]>(...parts: T): Merged<T> {
  const all: Record<string, string> = {};
  for (const part of parts)
    for (const [k, v] of Object.entries(part)) {
      if (k in all) throw new Error(`console message ${k} is defined twice`);
      all[k] = v;
    }
  return all as Merged<T>;
}

/** One entry per page that has words of its own. */
export const en = mergeMessages(
  commonEn,
  dashboardEn,
  channelsEn,
  tokensEn,
  usersEn,
  budgetEn,
  groupsEn,
  orgsEn,
  pricesEn,
  aliasesEn,
  pluginsEn,
  mcpServersEn,
  logsEn,
  auditEn,
  redemptionsEn,
  settingsEn,
  alertChannelsEn,
  playgroundEn,
  accountEn,
  topupEn,
  passkeysEn,
);

export type MessageKey = keyof typeof en;

export const zh: Record<MessageKey, string> = mergeMessages(
  commonZh,
  dashboardZh,
  channelsZh,
  tokensZh,
  usersZh,
  budgetZh,
  groupsZh,
  orgsZh,
  pricesZh,
  aliasesZh,
  pluginsZh,
  mcpServersZh,
  logsZh,
  auditZh,
  redemptionsZh,
  settingsZh,
  alertChannelsZh,
  playgroundZh,
  accountZh,
  topupZh,
  passkeysZh,
);

export const LANGUAGES = { en, zh } as const;
export type Language = keyof typeof LANGUAGES;

/**
 * Fills `{name}` placeholders; `{name|one|other}` picks the plural form of the number `name` by the language's rules
 * (English needs it, Chinese does not).
 */
export function translate(lang: Language, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const plural = new Intl.PluralRules(lang === 'zh' ? 'zh-CN' : 'en-US');
  return LANGUAGES[lang][key]
    .replace(/\{(\w+)\|([^|}]*)\|([^}]*)\}/g, (whole, name: string, one: string, other: string) =>
      name in vars ? (plural.select(Number(vars[name])) === 'one' ? one : other) : whole,
    )
    .replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The browser's preferred language if the console speaks it, else English. */
export function pickLanguage(saved: string | null, preferred: readonly string[]): Language {
  if (saved === 'en' || saved === 'zh') return saved;
  return preferred.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}
