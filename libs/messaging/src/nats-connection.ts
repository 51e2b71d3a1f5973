import fs from 'node:fs';
import type { AppConfig } from '@switchboard/config';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from 'nats';

export type NatsSettings = Partial<
  Pick<AppConfig, 'NATS_USER' | 'NATS_PASSWORD' | 'NATS_TOKEN' | 'NATS_CREDS' | 'NATS_NKEY_SEED' | 'NATS_TLS_CA' | 'NATS_TLS_CERT' | 'NATS_TLS_KEY'>
> & { NATS_URL?: string };

/**
 * Reply subjects of this service's requests. A per-service prefix lets the server's permissions keep every other
 * service off them (`_INBOX_<service>.>`): replies carry new keys and verification results.
 */
export function inboxPrefix(service: string): string {
  return `_INBOX_${service}`;
}

/**
 * Options for every NATS connection of a process (Nest transport server and client, JetStream usage queue): the
 * credentials and TLS of SPEC §8, and the service's own inbox prefix.
 */
export function natsConnectionOptions(config: NatsSettings, service: string): ConnectionOptions {
  const options: ConnectionOptions = { servers: [config.NATS_URL!], inboxPrefix: inboxPrefix(service) };
  if (config.NATS_USER) {
    options.user = config.NATS_USER;
    options.pass = config.NATS_PASSWORD;
  }
  if (config.NATS_TOKEN) options.token = config.NATS_TOKEN;
  const creds = config.NATS_CREDS;
  // Read at every (re)connect, so a rotated creds file is picked up without a restart.
  if (creds) options.authenticator = credsAuthenticator(() => fs.readFileSync(creds));
  if (config.NATS_NKEY_SEED) options.authenticator = nkeyAuthenticator(new TextEncoder().encode(config.NATS_NKEY_SEED.trim()));
  if (config.NATS_TLS_CA || config.NATS_TLS_CERT || config.NATS_URL?.startsWith('tls://')) {
    options.tls = {
      ...(config.NATS_TLS_CA ? { caFile: config.NATS_TLS_CA } : {}),
      ...(config.NATS_TLS_CERT ? { certFile: config.NATS_TLS_CERT, keyFile: config.NATS_TLS_KEY } : {}),
    };
  }
  return options;
}
