import type { AppConfig } from '@switchboard/config';
import type { RelyingParty } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';

/**
 * The WebAuthn relying party: WEBAUTHN_RP_ID / WEBAUTHN_ORIGIN when set (set them behind a proxy that rewrites Host,
 * or to share passkeys across subdomains), else the origin the browser used and its host name. A browser signs only
 * for the site it is on, so a page elsewhere cannot obtain an assertion for this one either way.
 */
export function relyingPartyOf(config: Pick<AppConfig, 'WEBAUTHN_RP_ID' | 'WEBAUTHN_ORIGIN' | 'WEBAUTHN_RP_NAME'>, req: FastifyRequest): RelyingParty {
  const origin = config.WEBAUTHN_ORIGIN?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`;
  const rpId = config.WEBAUTHN_RP_ID ?? new URL(origin).hostname;
  return { rpId, origin, name: config.WEBAUTHN_RP_NAME };
}
