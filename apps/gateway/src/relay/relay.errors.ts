import { DomainError } from '@switchboard/contracts';

/** Errors the relay raises itself; the edge renders each in the client's protocol (SPEC §6 status codes). */
export const RelayErrors = {
  missingKey: () => new DomainError('invalid_api_key', 401, 'Missing API key. Pass it as "Authorization: Bearer sk-…", x-api-key, x-goog-api-key or ?key='),
  badKey: () => new DomainError('invalid_api_key', 401, 'Incorrect API key provided.'),
  tokenInactive: (status: string) => new DomainError('invalid_api_key', 401, `This API key is ${status}.`),
  userDisabled: () => new DomainError('invalid_api_key', 401, 'The user of this API key is disabled.'),
  ipNotAllowed: (ip: string) => new DomainError('ip_not_allowed', 403, `Requests from ${ip} are not allowed for this API key.`),
  modelNotAllowed: (model: string) => new DomainError('model_not_allowed', 403, `This API key may not use the model "${model}".`),
  malformed: (msg: string) => new DomainError('invalid_request', 400, msg),
  unknownMethod: (what: string) => new DomainError('not_found', 404, `Unsupported method: ${what}`),
  modelRequired: () => new DomainError('invalid_request', 400, 'The "model" field is required.', { param: 'model' }),
  modelNotFound: (model: string) => new DomainError('model_not_found', 404, `The model "${model}" does not exist or you do not have access to it.`),
  notPriced: (model: string) => new DomainError('model_not_priced', 403, `The model "${model}" has no price; ask an admin to set one.`),
  unsupported: (model: string, what: string) => new DomainError('invalid_request', 400, `The model "${model}" does not support ${what} on any channel.`),
  noChannel: (model: string, last?: string) =>
    new DomainError('no_available_channel', 503, `No upstream channel could serve "${model}" right now${last ? `: ${last}` : ''}.`),
  tooLarge: (model: string, detail: string) =>
    new DomainError('upstream_response_too_large', 502, `The upstream's answer for "${model}" was too large: ${detail}.`),
  timeout: (model: string) => new DomainError('upstream_timeout', 504, `The upstream for "${model}" did not answer in time.`),
  routingUnavailable: () => new DomainError('service_unavailable', 503, 'The routing table is not loaded yet; try again shortly.'),
};
