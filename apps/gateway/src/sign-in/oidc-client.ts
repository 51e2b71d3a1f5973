import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@switchboard/config';
import { DomainError, type OidcIdentity } from '@switchboard/contracts';
import type { Configuration } from 'openid-client';

type OpenIdClient = typeof import('openid-client');

/** What the browser carries between /login and /callback (sealed in the `sb_oidc` cookie). */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  /** epoch ms after which the callback is refused */
  exp: number;
}

/** openid-client is ESM-only: loaded on first use, so a gateway without OIDC never loads it. */
const loadClient = (): Promise<OpenIdClient> => import('openid-client');

const isLoopback = (u: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);

/**
 * OpenID Connect as a relying party: the provider's discovery document (fetched once, again after a failure), the
 * authorization URL (code flow with PKCE S256, state and nonce), and the callback's code exchange with the id_token
 * validated by openid-client (signature, issuer, audience, expiry, nonce).
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger(OidcClient.name);
  private discovered: Promise<Configuration> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.OIDC_ISSUER && this.config.OIDC_CLIENT_ID && this.config.OIDC_REDIRECT_URL);
  }

  get displayName(): string {
    return this.config.OIDC_DISPLAY_NAME;
  }

  async authorizationUrl(): Promise<{ url: URL; pending: PendingLogin }> {
    const oidc = await loadClient();
    const cfg = await this.configuration();
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      exp: Date.now() + 10 * 60_000,
    };
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: this.config.OIDC_REDIRECT_URL!,
      scope: this.config.OIDC_SCOPES,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Exchanges the callback's code; throws when state, nonce, PKCE or the id_token do not check out. */
  async complete(query: string, pending: PendingLogin): Promise<OidcIdentity> {
    const oidc = await loadClient();
    const cfg = await this.configuration();
    const current = new URL(this.config.OIDC_REDIRECT_URL!);
    current.search = query;
    const tokens = await oidc.authorizationCodeGrant(cfg, current, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new DomainError('oidc_failed', 401, 'The provider returned no id_token.');
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: str(claims.email),
      emailVerified: claims.email_verified === true,
      preferredUsername: str(claims.preferred_username),
    };
  }

  private configuration(): Promise<Configuration> {
    this.discovered ??= this.discover().catch((e: unknown) => {
      this.discovered = null;
      throw e;
    });
    return this.discovered;
  }

  private async discover(): Promise<Configuration> {
    const oidc = await loadClient();
    const issuer = new URL(this.config.OIDC_ISSUER!);
    // Plain http only to a provider on this machine (development, tests); anything else must be https.
    const insecure = issuer.protocol === 'http:' && isLoopback(issuer);
    const secret = this.config.OIDC_CLIENT_SECRET;
    const cfg = await oidc.discovery(issuer, this.config.OIDC_CLIENT_ID!, secret, secret ? undefined : oidc.None(), {
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: 10,
    });
    this.logger.log(`OIDC: using ${cfg.serverMetadata().issuer}`);
    return cfg;
  }
}
