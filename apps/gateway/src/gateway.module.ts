import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { HEALTH_STORE } from '@switchboard/health';
import { LIMIT_STORE, type LimitStore } from '@switchboard/limits';
import { FEATURE_READINESS_CHECKS, type ReadinessCheck } from '@switchboard/observability';
import { BanListService } from './state/ban-list.service';
import { AdmissionService } from './admission/admission.service';
import { BudgetGuard } from './budgets/budget-guard';
import { AlertingBudgetEvents, BUDGET_EVENTS } from './budgets/budget-events';
import { AccountDirectory } from './accounts/account-directory';
import { AccountGuard, SessionGuard } from './accounts/account.guards';
import { ConsoleAuthenticator } from './accounts/console-authenticator';
import { LoginThrottle } from './accounts/login-throttle';
import { MeController } from './accounts/me.controller';
import { RegisterController } from './accounts/register.controller';
import { AdminAuthGuard } from './admin/admin-auth.guard';
import { AdminKeyVerifier } from './admin/admin-key.verifier';
import { KeyAuthenticator } from './auth/key-authenticator';
import { AdminController, StatusController } from './admin/admin.controller';
import { StripeWebhookController } from './payments/stripe-webhook.controller';
import { TopupController } from './payments/topup.controller';
import { PlaygroundController } from './playground/playground.controller';
import { SettingsController } from './settings/settings.controller';
import { RedeemController } from './admin/redeem.controller';
import { DocsController } from './docs/docs.controller';
import { SessionController } from './session/session.controller';
import { OidcClient } from './sign-in/oidc-client';
import { OidcController } from './sign-in/oidc.controller';
import { PasskeyController } from './sign-in/passkey.controller';
import { SessionIssuer } from './session/session-issuer';
import { SignInDirectory } from './sign-in/sign-in-directory';
import { SessionService } from './session/session.service';
import { SESSION_STORE } from './session/session.store';
import { DrainService } from './edge/drain.service';
import { EdgeErrorFilter } from './edge/edge-error.filter';
import { ModelsService } from './relay/models.service';
import { ModelsController } from './relay/models.controller';
import { RelayService } from './relay/relay.service';
import { FailoverLoop } from './relay/failover-loop';
import { FailoverPolicy } from './relay/failover-policy';
import { JsonResponseSink } from './relay/json-response.sink';
import { RoutePlanner } from './relay/route-planner';
import { StreamResponseSink } from './relay/stream-response.sink';
import { BytesResponseSink } from './relay/bytes-response.sink';
import { UpstreamAttempt } from './relay/upstream-attempt';
import { UpstreamCredentials } from './relay/upstream-credentials';
import { UsageRecorder } from './relay/usage-recorder';
import { TokenCountService } from './relay/token-count.service';
import { UpstreamClient } from './relay/upstream.client';
import { RealtimeConnector } from './realtime/realtime-upstream.connector';
import { RealtimeService } from './realtime/realtime.service';
import { McpGatewayService } from './mcp/mcp-gateway.service';
import { ChangeEventsController } from './state/change-events.controller';
import { PriceCache } from './state/price-cache.service';
import { RoutingTableService } from './state/routing-table.service';
import { TokenCache } from './state/token-cache.service';
import { healthStoreFor, limitStoreFor, sessionStoreFor } from './workers/worker-stores';
import { ANSWER_CACHE, answerCacheFor } from './plugins/cache/answer-cache.provider';

/** The edge: relay endpoints, admin API, local caches of tokens, routes and prices. Never touches the database. */
@Module({
  controllers: [
    ModelsController,
    AdminController,
    StatusController,
    RedeemController,
    ChangeEventsController,
    DocsController,
    SessionController,
    SettingsController,
    PlaygroundController,
    // accounts: /api/me/*, /api/auth/* (accounts/)
    MeController,
    RegisterController,
    // Stripe top-ups: /api/me/topup/checkout, /api/me/topups, /api/webhooks/stripe (payments/)
    TopupController,
    StripeWebhookController,
    // OIDC and passkey sign-in (sign-in/)
    OidcController,
    PasskeyController,
  ],
  providers: [
    RelayService,
    // the relay's pipeline steps (relay/)
    RoutePlanner,
    FailoverPolicy,
    FailoverLoop,
    UpstreamAttempt,
    UpstreamCredentials,
    JsonResponseSink,
    StreamResponseSink,
    BytesResponseSink,
    UsageRecorder,
    // GET /v1/realtime (a WebSocket upgrade, outside fastify's routes: realtime/)
    RealtimeService,
    RealtimeConnector,
    // /mcp/{name}: the MCP gateway (mcp/)
    McpGatewayService,
    ModelsService,
    TokenCountService,
    UpstreamClient,
    TokenCache,
    KeyAuthenticator,
    RoutingTableService,
    PriceCache,
    AdminAuthGuard,
    AdminKeyVerifier,
    AccountDirectory,
    ConsoleAuthenticator,
    LoginThrottle,
    AccountGuard,
    SessionGuard,
    SignInDirectory,
    SessionIssuer,
    OidcClient,
    // console sessions: in Redis when gateways share one (cluster), so a session made on one replica works on all
    SessionService,
    { provide: SESSION_STORE, useFactory: sessionStoreFor, inject: [APP_CONFIG] },
    // the cache plugin's answers: Redis in cluster mode (shared by the replicas), else memory (plugins/cache/)
    { provide: ANSWER_CACHE, useFactory: answerCacheFor, inject: [APP_CONFIG] },
    AdmissionService,
    // budgets per user, token and group (budgets/): a soft limit passed is logged, counted and raised as an alert
    BudgetGuard,
    { provide: BUDGET_EVENTS, useClass: AlertingBudgetEvents },
    DrainService,
    BanListService,
    // counters, bans and sessions: Redis, the primary's (a standalone relay worker) or this process's (workers/)
    { provide: HEALTH_STORE, useFactory: healthStoreFor, inject: [APP_CONFIG] },
    { provide: LIMIT_STORE, useFactory: limitStoreFor, inject: [APP_CONFIG] },
    // Not ready while Redis is unreachable: every relay request would be refused (503) meanwhile.
    {
      provide: FEATURE_READINESS_CHECKS,
      useFactory: (c: AppConfig, store: LimitStore): ReadinessCheck[] => (c.REDIS_URL ? [{ name: 'redis', check: () => store.ping() }] : []),
      inject: [APP_CONFIG, LIMIT_STORE],
    },
    { provide: APP_FILTER, useClass: EdgeErrorFilter },
  ],
  exports: [FEATURE_READINESS_CHECKS],
})
export class GatewayModule {}
