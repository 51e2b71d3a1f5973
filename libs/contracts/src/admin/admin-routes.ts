import { z } from 'zod';
import { Subjects } from '../subjects';
import {
  AlertChannelView,
  AlertTestResult,
  AliasView,
  PluginView,
  AuditEntry,
  Balance,
  ChannelBalanceView,
  ChannelKeyView,
  ChannelKeysAdded,
  ChannelTestResult,
  ChannelView,
  OrgView,
  CreatedRedemptions,
  DeadLetterView,
  Deleted,
  GroupListItem,
  GroupView,
  LedgerPage,
  PaymentView,
  LogPage,
  LogDetail,
  PriceRemoved,
  PriceView,
  Reconciliation,
  RedemptionView,
  Stats,
  TokenView,
  UserDeleted,
  UserListItem,
  UserView,
  listOf,
} from './admin-answers.schemas';
import { named, type AdminRoute, type AdminSubject, type NamedSchema } from './admin-route';
import {
  AuthListQuery,
  CreateGroup,
  CreateOrg,
  UpdateOrg,
  CreateToken,
  CreateUser,
  TokenListQuery,
  UpdateGroup,
  UpdateToken,
  UpdateUser,
  UserListQuery,
} from './auth-admin.schemas';
import { CreateRedemptions, LedgerListQuery, PaymentListQuery, PutPrice, RedemptionListQuery, TopUp } from './billing-admin.schemas';
import { PutPlugin } from './plugin-admin.schemas';
import { CreateAlertChannel, RotateAlertSecret, TestAlertChannel, UpdateAlertChannel } from './alert-admin.schemas';
import { CreateMcpServer, McpServerView, UpdateMcpServer } from './mcp-admin.schemas';
import { AuditListQuery, DeadLetterListQuery, LogListQuery, StatsQuery } from './logs-admin.schemas';
import {
  AddChannelKeys,
  ChannelBalanceQuery,
  ChannelKeyListQuery,
  ChannelListQuery,
  CreateAlias,
  CreateChannel,
  TestChannel,
  UpdateAlias,
  UpdateChannel,
  UpdateChannelKey,
} from './router-admin.schemas';

const param = <N extends string>(name: N) => z.object({ [name]: z.string() } as Record<N, z.ZodString>);
const byId = param('id');
const byName = param('name');
const byChannelKey = z.object({ id: z.string(), keyId: z.string() });

const auth = Subjects.AuthAdmin;
const router = Subjects.RouterAdmin;
const billing = Subjects.BillingAdmin;
const logs = Subjects.LogsAdmin;

/**
 * SPEC §5, the admin API: every route once. The gateway serves each under its method and path and forwards it on
 * `subject` as `{ resource, op, id, body, query, actor }` (the key is `resource.op`); the owning service answers the
 * `answer` (or a DomainError) and the gateway replies with `status`. /docs is generated from this table.
 */
export const ADMIN_ROUTES = {
  // organisations (root or the admin key only)
  'orgs.list': {
    rootOnly: true,
    method: 'GET',
    path: '/api/orgs',
    subject: auth,
    summary: 'List organisations, each with its number of users',
    status: 200,
    answer: listOf(OrgView),
  },
  'orgs.create': {
    rootOnly: true,
    method: 'POST',
    path: '/api/orgs',
    subject: auth,
    summary: 'Create an organisation',
    status: 201,
    body: named('CreateOrg', CreateOrg),
    answer: OrgView,
  },
  'orgs.update': {
    rootOnly: true,
    method: 'PATCH',
    path: '/api/orgs/:id',
    subject: auth,
    summary: 'Rename an organisation',
    status: 200,
    params: byId,
    body: named('UpdateOrg', UpdateOrg),
    answer: OrgView,
  },
  'orgs.delete': {
    rootOnly: true,
    method: 'DELETE',
    path: '/api/orgs/:id',
    subject: auth,
    summary: 'Delete an organisation (409 while it has users)',
    status: 200,
    params: byId,
    answer: Deleted,
  },

  // users
  'users.list': {
    orgAdmin: true,
    method: 'GET',
    path: '/api/users',
    subject: auth,
    summary: 'List users (search in name or id, filter by group and status), each with its number of tokens',
    status: 200,
    query: UserListQuery,
    answer: listOf(UserListItem),
  },
  'users.create': {
    orgAdmin: true,
    method: 'POST',
    path: '/api/users',
    subject: auth,
    summary: 'Create a user',
    status: 201,
    body: named('CreateUser', CreateUser),
    answer: UserView,
  },
  'users.get': { orgAdmin: true, method: 'GET', path: '/api/users/:id', subject: auth, summary: 'A user', status: 200, params: byId, answer: UserView },
  'users.update': {
    orgAdmin: true,
    method: 'PATCH',
    path: '/api/users/:id',
    subject: auth,
    summary: 'Update a user',
    status: 200,
    params: byId,
    body: named('UpdateUser', UpdateUser),
    answer: UserView,
  },
  'users.delete': {
    orgAdmin: true,
    method: 'DELETE',
    path: '/api/users/:id',
    subject: auth,
    summary: 'Delete a user and its tokens → { deleted, tokensDeleted }',
    status: 200,
    params: byId,
    answer: UserDeleted,
  },
  'users.topup': {
    method: 'POST',
    path: '/api/users/:id/topup',
    subject: billing,
    summary: 'Credit a user ({ amount } USD) → { balance }',
    status: 200,
    params: byId,
    body: named('TopUp', TopUp),
    answer: Balance,
  },

  // tokens
  'tokens.list': {
    orgAdmin: true,
    method: 'GET',
    path: '/api/tokens',
    subject: auth,
    summary: 'List tokens (API keys); filters userId, status, search (part of the name or the key start)',
    status: 200,
    query: TokenListQuery,
    answer: listOf(TokenView),
  },
  'tokens.create': {
    orgAdmin: true,
    method: 'POST',
    path: '/api/tokens',
    subject: auth,
    summary: 'Create a token: the full key is answered once, as `key`',
    status: 201,
    body: named('CreateToken', CreateToken),
    answer: TokenView,
  },
  'tokens.get': { orgAdmin: true, method: 'GET', path: '/api/tokens/:id', subject: auth, summary: 'A token', status: 200, params: byId, answer: TokenView },
  'tokens.update': {
    orgAdmin: true,
    method: 'PATCH',
    path: '/api/tokens/:id',
    subject: auth,
    summary: 'Update a token',
    status: 200,
    params: byId,
    body: named('UpdateToken', UpdateToken),
    answer: TokenView,
  },
  'tokens.delete': {
    orgAdmin: true,
    method: 'DELETE',
    path: '/api/tokens/:id',
    subject: auth,
    summary: 'Delete a token',
    status: 200,
    params: byId,
    answer: Deleted,
  },

  // groups
  'groups.list': {
    orgAdmin: true,
    method: 'GET',
    path: '/api/groups',
    subject: auth,
    summary: 'List groups, each with its number of users and of tokens it governs',
    status: 200,
    query: AuthListQuery,
    answer: listOf(GroupListItem),
  },
  'groups.create': {
    method: 'POST',
    path: '/api/groups',
    subject: auth,
    summary: 'Create a group',
    status: 201,
    body: named('CreateGroup', CreateGroup),
    answer: GroupView,
  },
  'groups.get': { orgAdmin: true, method: 'GET', path: '/api/groups/:name', subject: auth, summary: 'A group', status: 200, params: byName, answer: GroupView },
  'groups.update': {
    orgAdmin: true,
    method: 'PATCH',
    path: '/api/groups/:name',
    subject: auth,
    summary: 'Update a group',
    status: 200,
    params: byName,
    body: named('UpdateGroup', UpdateGroup),
    answer: GroupView,
  },

  // channels
  'channels.list': {
    method: 'GET',
    path: '/api/channels',
    subject: router,
    summary: 'List channels (keys masked; status, bans, errorRate, responseTimeMs)',
    status: 200,
    query: ChannelListQuery,
    answer: listOf(ChannelView),
  },
  'channels.create': {
    method: 'POST',
    path: '/api/channels',
    subject: router,
    summary: 'Create a channel',
    status: 201,
    body: named('CreateChannel', CreateChannel),
    answer: ChannelView,
  },
  'channels.get': { method: 'GET', path: '/api/channels/:id', subject: router, summary: 'A channel', status: 200, params: byId, answer: ChannelView },
  'channels.update': {
    method: 'PATCH',
    path: '/api/channels/:id',
    subject: router,
    summary: 'Update a channel',
    status: 200,
    params: byId,
    body: named('UpdateChannel', UpdateChannel),
    answer: ChannelView,
  },
  'channels.test': {
    method: 'POST',
    path: '/api/channels/:id/test',
    subject: router,
    summary: 'Probe the channel now ({ model? })',
    status: 200,
    params: byId,
    body: named('TestChannel', TestChannel),
    answer: ChannelTestResult,
  },
  'channels.delete': { method: 'DELETE', path: '/api/channels/:id', subject: router, summary: 'Delete a channel', status: 200, params: byId, answer: Deleted },
  'channels.balance': {
    method: 'GET',
    path: '/api/channels/:id/balance',
    subject: router,
    summary:
      "The account balance the channel's provider reports, as last read (`?refresh=1` reads it now); 409 for a type that reports none, 502 when the provider could not be read",
    status: 200,
    params: byId,
    query: ChannelBalanceQuery,
    answer: ChannelBalanceView,
  },

  // a channel's key pool (SPEC §8)
  'channel-keys.list': {
    method: 'GET',
    path: '/api/channels/:id/keys',
    subject: router,
    summary:
      "A channel's keys (masked), each with its label, enabled flag, state, request counters and the provider-reported allowance (`?refresh=1` reads it now)",
    status: 200,
    params: byId,
    query: ChannelKeyListQuery,
    answer: listOf(ChannelKeyView),
  },
  'channel-keys.create': {
    method: 'POST',
    path: '/api/channels/:id/keys',
    subject: router,
    summary: 'Add keys to the pool ({ keys: [...] }); keys already in it are skipped and reported',
    status: 201,
    params: byId,
    body: named('AddChannelKeys', AddChannelKeys),
    answer: ChannelKeysAdded,
  },
  'channel-keys.update': {
    method: 'PATCH',
    path: '/api/channels/:id/keys/:keyId',
    subject: router,
    summary: 'Label, enable or disable one key (routing follows at once)',
    status: 200,
    params: byChannelKey,
    body: named('UpdateChannelKey', UpdateChannelKey),
    answer: ChannelKeyView,
  },
  'channel-keys.delete': {
    method: 'DELETE',
    path: '/api/channels/:id/keys/:keyId',
    subject: router,
    summary: 'Remove one key from the pool',
    status: 200,
    params: byChannelKey,
    answer: Deleted,
  },

  // aliases
  'aliases.list': { method: 'GET', path: '/api/aliases', subject: router, summary: 'List aliases', status: 200, answer: listOf(AliasView) },
  'aliases.create': {
    method: 'POST',
    path: '/api/aliases',
    subject: router,
    summary: 'Create an alias',
    status: 201,
    body: named('CreateAlias', CreateAlias),
    answer: AliasView,
  },
  'aliases.update': {
    method: 'PATCH',
    path: '/api/aliases/:name',
    subject: router,
    summary: 'Update an alias',
    status: 200,
    params: byName,
    body: named('UpdateAlias', UpdateAlias),
    answer: AliasView,
  },
  'aliases.delete': { method: 'DELETE', path: '/api/aliases/:name', subject: router, summary: 'Delete an alias', status: 200, params: byName, answer: Deleted },

  // plugins (SPEC §8): the relay's extensions, switched on per model, group and token
  'plugins.list': {
    method: 'GET',
    path: '/api/plugins',
    subject: router,
    summary: 'Every plugin with its configuration',
    status: 200,
    answer: listOf(PluginView),
  },
  'plugins.get': {
    method: 'GET',
    path: '/api/plugins/:name',
    subject: router,
    summary: 'One plugin’s configuration',
    status: 200,
    params: byName,
    answer: PluginView,
  },
  'plugins.put': {
    method: 'PUT',
    path: '/api/plugins/:name',
    subject: router,
    summary: 'Configure a plugin (the fields sent change; the relay follows at once)',
    status: 200,
    params: byName,
    body: named('PutPlugin', PutPlugin),
    answer: PluginView,
  },

  // alert channels (SPEC §8): where alerts reach a person
  'alert-channels.list': {
    method: 'GET',
    path: '/api/alert-channels',
    subject: router,
    summary: 'Alert channels (webhook, email, Slack) and the events each receives',
    status: 200,
    answer: listOf(AlertChannelView),
  },
  'alert-channels.create': {
    method: 'POST',
    path: '/api/alert-channels',
    subject: router,
    summary: 'Add an alert channel (a webhook channel’s signing secret is in this answer only)',
    status: 201,
    body: named('CreateAlertChannel', CreateAlertChannel),
    answer: AlertChannelView,
  },
  'alert-channels.update': {
    method: 'PATCH',
    path: '/api/alert-channels/:id',
    subject: router,
    summary: 'Change an alert channel’s target, name, events or switch',
    status: 200,
    params: byId,
    body: named('UpdateAlertChannel', UpdateAlertChannel),
    answer: AlertChannelView,
  },
  'alert-channels.delete': {
    method: 'DELETE',
    path: '/api/alert-channels/:id',
    subject: router,
    summary: 'Delete an alert channel',
    status: 200,
    params: byId,
    answer: Deleted,
  },
  'alert-channels.rotate': {
    method: 'POST',
    path: '/api/alert-channels/:id/rotate-secret',
    subject: router,
    summary: 'Give a webhook channel a new signing secret (in this answer only); the old one keeps signing beside it for the grace period',
    status: 200,
    params: byId,
    body: named('RotateAlertSecret', RotateAlertSecret),
    answer: AlertChannelView,
  },
  'alert-channels.test': {
    method: 'POST',
    path: '/api/alert-channels/:id/test',
    subject: router,
    summary: 'Send a test alert to the channel now (retried like any alert; the answer says whether it arrived)',
    status: 200,
    params: byId,
    body: named('TestAlertChannel', TestAlertChannel),
    answer: AlertTestResult,
  },
  // MCP servers (SPEC §8): fronted at /mcp/{name} (streamable HTTP) and /mcp/{name}/sse for tokens of their groups
  'mcp-servers.list': {
    orgAdmin: true,
    method: 'GET',
    path: '/api/mcp-servers',
    subject: router,
    summary: 'MCP servers (header values masked), each with the endpoints clients connect to',
    status: 200,
    answer: listOf(McpServerView),
  },
  'mcp-servers.create': {
    orgAdmin: true,
    method: 'POST',
    path: '/api/mcp-servers',
    subject: router,
    summary: 'Register an MCP server: `remote` (an upstream MCP endpoint at `url`) or `openapi` (an OpenAPI 3 `spec`, inline or its URL)',
    status: 201,
    body: named('CreateMcpServer', CreateMcpServer),
    answer: McpServerView,
  },
  'mcp-servers.update': {
    orgAdmin: true,
    method: 'PATCH',
    path: '/api/mcp-servers/:name',
    subject: router,
    summary: 'Update an MCP server (the fields sent change; a masked header value sent back keeps the stored one)',
    status: 200,
    params: byName,
    body: named('UpdateMcpServer', UpdateMcpServer),
    answer: McpServerView,
  },
  'mcp-servers.delete': {
    orgAdmin: true,
    method: 'DELETE',
    path: '/api/mcp-servers/:name',
    subject: router,
    summary: 'Remove an MCP server',
    status: 200,
    params: byName,
    answer: Deleted,
  },

  // prices
  'prices.list': { method: 'GET', path: '/api/prices', subject: billing, summary: 'Prices, USD per million tokens', status: 200, answer: listOf(PriceView) },
  'prices.put': {
    method: 'PUT',
    path: '/api/prices/:model',
    subject: billing,
    summary: 'Set a price',
    status: 200,
    params: param('model'),
    body: named('PutPrice', PutPrice),
    answer: PriceView,
  },
  'prices.delete': {
    method: 'DELETE',
    path: '/api/prices/:model',
    subject: billing,
    summary: 'Remove an admin-set price: a model with a built-in list price returns to it, any other becomes unpriced',
    status: 200,
    params: param('model'),
    answer: PriceRemoved,
  },

  // redemption codes, ledger
  'redemptions.create': {
    method: 'POST',
    path: '/api/redemptions',
    subject: billing,
    summary: 'Create redemption codes',
    status: 201,
    body: named('CreateRedemptions', CreateRedemptions),
    answer: CreatedRedemptions,
  },
  'redemptions.list': {
    method: 'GET',
    path: '/api/redemptions',
    subject: billing,
    summary: 'List redemption codes (hashes only: a code is shown once, at creation)',
    status: 200,
    query: RedemptionListQuery,
    answer: listOf(RedemptionView),
  },
  'ledger.list': {
    method: 'GET',
    path: '/api/ledger',
    subject: billing,
    summary: 'Ledger entries (debits, top-ups, redemptions, adjustments), newest first',
    status: 200,
    query: LedgerListQuery,
    answer: LedgerPage,
  },
  'payments.list': {
    method: 'GET',
    path: '/api/payments',
    subject: billing,
    summary: 'Stripe payments, newest first, by status: `unapplied` ones were paid but could not be credited (settle them by hand)',
    status: 200,
    query: PaymentListQuery,
    answer: listOf(PaymentView),
  },
  'ledger.reconcile': {
    method: 'GET',
    path: '/api/ledger/reconciliation',
    subject: billing,
    summary: 'Balances against the ledger and the quota counters against both, checked now',
    status: 200,
    answer: Reconciliation,
  },

  // logs, stats and audit
  'logs.list': {
    orgAdmin: true,
    method: 'GET',
    path: '/api/logs',
    subject: logs,
    summary: 'Request logs, newest first (filters, cursor)',
    status: 200,
    query: LogListQuery,
    answer: LogPage,
  },
  'logs.get': {
    orgAdmin: true,
    method: 'GET',
    path: '/api/logs/:requestId',
    subject: logs,
    summary: 'One request log (requestId = the response’s x-request-id)',
    status: 200,
    params: param('requestId'),
    answer: LogDetail,
  },
  'stats.get': {
    orgAdmin: true,
    method: 'GET',
    path: '/api/stats',
    subject: logs,
    summary: 'Totals, by day, model, channel and top users (?days=7)',
    status: 200,
    query: StatsQuery,
    answer: Stats,
  },
  'audit.list': {
    method: 'GET',
    path: '/api/audit',
    subject: logs,
    summary: 'Audit log of every admin change',
    status: 200,
    query: AuditListQuery,
    answer: listOf(AuditEntry),
  },
  'usage-dead-letters.list': {
    method: 'GET',
    path: '/api/usage/dead-letters',
    subject: logs,
    summary: 'Usage records a consumer could not commit or the gateway rejected, newest first ({ data, total }; consumer, requestId, limit, offset)',
    status: 200,
    query: DeadLetterListQuery,
    answer: listOf(DeadLetterView),
  },
} as const satisfies Record<string, AdminRoute>;

export type AdminRoutes = typeof ADMIN_ROUTES;
/** `resource.op`, e.g. `channels.create`: the key of a route in the table and of its handler in its service. */
export type AdminOp = keyof AdminRoutes;
/** The operations a subject's owner answers. */
export type AdminOpOf<S extends AdminSubject> = { [K in AdminOp]: AdminRoutes[K]['subject'] extends S ? K : never }[AdminOp];

/** What a handler receives: the path parameters (as `id` and `subId`), the parsed query and body, who asked. */
export interface AdminCall<K extends AdminOp> {
  id: AdminRoutes[K] extends { params: z.ZodType } ? string : undefined;
  subId: AdminRoutes[K]['path'] extends `${string}:${string}/${string}:${string}` ? string : undefined;
  query: AdminRoutes[K] extends { query: infer Q extends z.ZodType } ? z.output<Q> : Record<string, never>;
  body: AdminRoutes[K] extends { body: NamedSchema<infer B> } ? z.output<B> : Record<string, never>;
  /** who asked, for the audit log: `alice (#3)` or `admin key` */
  actor: string;
  /** root (or the admin key) may manage admins and roots; admin may not */
  actorRole?: 'root' | 'admin';
  /** the asker's organisation (an org admin); null or absent = the platform */
  actorOrgId?: number | null;
}

/** What a handler answers on success (the route's answer schema, as the handler builds it). */
export type AdminAnswer<K extends AdminOp> = z.input<AdminRoutes[K]['answer']>;

/** A service's admin handlers: exactly one per operation its subject owns, typed by the table. */
export type AdminHandlers<S extends AdminSubject> = { [K in AdminOpOf<S>]: (call: AdminCall<K>) => Promise<AdminAnswer<K>> };

/** Every route, with its `resource.op`, in table order. */
export const adminRouteList = (): (AdminRoute & { op: AdminOp })[] => Object.entries(ADMIN_ROUTES).map(([op, r]) => ({ op: op as AdminOp, ...r }));
