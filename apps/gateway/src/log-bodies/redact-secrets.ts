/** What replaces a secret in a logged body. */
export const REDACTED = '[REDACTED]';

/**
 * JSON fields whose string value is a secret, by name (any case, `_`/`-` or none between words): api_key, apiKey,
 * x-api-key, authorization, password, passwd, secret, client_secret, secret_key, access_token, refresh_token, id_token,
 * private_key, aws_secret_access_key, session_token. A field inside a JSON string (escaped quotes) is matched too.
 */
const NAME = String.raw`[\w-]*?(?:api[_-]?key|authorization|password|passwd|secret(?:[_-]?(?:access[_-]?)?key)?|(?:access|refresh|id|session|auth)[_-]?token|private[_-]?key)`;
/** `"name": "value"` in a JSON body */
const SECRET_FIELD = new RegExp(String.raw`("${NAME}"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi');
/** `\"name\": \"value\"`: JSON written inside a JSON string (a prompt, a tool call's arguments) */
const ESCAPED_SECRET_FIELD = new RegExp(String.raw`(\\"${NAME}\\"\s*:\s*)\\"(?:[^"\\]|\\\\|\\[^"])*?\\"`, 'gi');

/** Secrets recognised by their shape wherever they appear (a prompt, a header echoed in a body…). */
const SECRET_SHAPES: RegExp[] = [
  // OpenAI, Anthropic (sk-ant-…), DeepSeek, Switchboard's own keys and most gateways': sk-…
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  // an Authorization header's credentials
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // AWS access key ids
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  // Google API keys
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  // GitHub and Slack tokens
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,
  // PEM private keys
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/**
 * A body with its secrets masked before it leaves the gateway: the values of secret-named JSON fields, and API keys,
 * bearer credentials, AWS/Google/GitHub/Slack keys and private keys wherever they appear.
 */
export function redactSecrets(text: string): string {
  let out = text.replace(SECRET_FIELD, `$1"${REDACTED}"`).replace(ESCAPED_SECRET_FIELD, `$1\\"${REDACTED}\\"`);
  for (const re of SECRET_SHAPES) {
    out = out.replace(re, (m: string, scheme?: string) =>
      typeof scheme === 'string' && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED,
    );
  }
  return out;
}
