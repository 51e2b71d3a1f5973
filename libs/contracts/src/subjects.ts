/**
 * Every NATS subject Switchboard uses. This file is the only place a subject string appears.
 * Subjects are versioned and never renamed: a breaking payload change gets a new `.v2` subject.
 */
export const Subjects = {
  /** request/reply: gateway → auth. Resolve an API key (by its sha256) to the token, user and group limits. */
  AuthVerifyKey: 'auth.key.verify.v1',
  /** request/reply: gateway → auth. Admin CRUD on users, tokens and groups. */
  AuthAdmin: 'auth.admin.v1',
  /** request/reply: gateway → auth. Accounts: password sign-in, registration, a signed-in user's own data and 2FA. */
  AuthAccount: 'auth.account.v1',
  /** request/reply: gateway → auth. Sign-in methods beyond the password: OIDC identities and passkeys. */
  AuthSignIn: 'auth.signin.v1',
  /** event: auth → gateways. A token, user or group changed: drop cached verifications. */
  AuthChanged: 'auth.changed.v1',

  /** request/reply: gateway → router. The whole routing table (channels with encrypted keys, aliases). */
  RouterTableGet: 'router.table.get.v1',
  /** request/reply: gateway → router. Admin CRUD on channels and aliases, channel tests. */
  RouterAdmin: 'router.admin.v1',
  /** event: router → gateways. The routing table changed: fetch it again. */
  RouterTableChanged: 'router.table.changed.v1',
  /** event: gateways and router → gateways. Bans set or lifted (already stored in the health store). */
  RouterBansChanged: 'router.bans.changed.v1',

  /** request/reply: gateway → billing. The price table and group ratios. */
  BillingPricesGet: 'billing.prices.get.v1',
  /** request/reply: gateway → billing. Admin: prices, redemption codes, top-ups, redeem. */
  BillingAdmin: 'billing.admin.v1',
  /** event: billing → gateways. Prices changed: fetch them again. */
  BillingPricesChanged: 'billing.prices.changed.v1',
  /** request/reply: gateway → billing. Redeem a code onto the user of a key the gateway has verified. */
  BillingRedeem: 'billing.redeem.v1',
  /** request/reply: gateway → billing. Stripe top-ups: open a Checkout session, apply a webhook delivery, list top-ups. */
  BillingPayments: 'billing.payments.v1',
  /** event: billing → anyone listening (alerts, notifications). A user's balance fell below the low-balance threshold. */
  BillingBalanceLow: 'billing.balance.low.v1',

  /** event: any service → the router (one replica). Something a person should hear about (alerts.contracts.ts). */
  AlertRaised: 'alerts.raised.v1',

  /** request/reply: gateway → log-writer. Logs, stats, audit queries. */
  LogsAdmin: 'logs.admin.v1',

  /** JetStream (durable): gateway → billing + log-writer. One record per finished request. */
  UsageRecorded: 'usage.recorded.v1',
  /** JetStream (durable): gateway → billing + log-writer. Several records in one message (what gateways send). */
  UsageRecordedBatch: 'usage.recorded.batch.v1',
  /**
   * JetStream (durable): gateway → billing + log-writer. A record that failed validation at publish (dead-lettered).
   * Under `usage.recorded.` so that whatever lets a gateway publish usage records lets it publish this one too.
   */
  UsageRejected: 'usage.recorded.rejected.v1',
} as const;

export type Subject = (typeof Subjects)[keyof typeof Subjects];

/** JetStream stream and durable consumer names for usage records. */
export const UsageStream = {
  name: 'SWITCHBOARD_USAGE',
  subjects: [Subjects.UsageRecorded, Subjects.UsageRecordedBatch, Subjects.UsageRejected],
  consumers: { billing: 'billing-usage', logWriter: 'log-writer-usage' },
} as const;
