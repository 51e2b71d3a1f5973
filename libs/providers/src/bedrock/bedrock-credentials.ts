import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** A channel key: AWS access keys (`AKID:SECRET[:SESSION_TOKEN]`) signed with SigV4, or a Bedrock API key (Bearer). */
export type BedrockCredential = { kind: 'sigv4'; accessKeyId: string; secretAccessKey: string; sessionToken?: string } | { kind: 'bearer'; apiKey: string };

/** An access key id: AKIA… (long-term), ASIA… (STS) — upper-case letters and digits. */
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

/**
 * `AKID:SECRET[:TOKEN]` is SigV4; anything else is a Bedrock API key (long-term `ABSK…` and short-term
 * `bedrock-api-key-…` keys are base64 and never hold a colon after an access-key-shaped prefix).
 */
export function parseBedrockKey(key: string): BedrockCredential {
  const trimmed = key.trim();
  const first = trimmed.indexOf(':');
  if (first > 0) {
    const accessKeyId = trimmed.slice(0, first);
    const rest = trimmed.slice(first + 1);
    const second = rest.indexOf(':');
    const secretAccessKey = second < 0 ? rest : rest.slice(0, second);
    const sessionToken = second < 0 ? undefined : rest.slice(second + 1);
    if (ACCESS_KEY_ID.test(accessKeyId) && secretAccessKey) {
      return sessionToken ? { kind: 'sigv4', accessKeyId, secretAccessKey, sessionToken } : { kind: 'sigv4', accessKeyId, secretAccessKey };
    }
  }
  return { kind: 'bearer', apiKey: trimmed };
}

export interface SignArgs {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  region: string;
  service: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** the signing time (tests pin it to the published vectors'); default now */
  date?: Date;
}

/**
 * The headers a request must carry to pass SigV4: `authorization`, `x-amz-date` and, for STS credentials,
 * `x-amz-security-token` (signed). The canonical URI is the path exactly as sent, escaped once more by the signer
 * (AWS double-encodes non-S3 paths: a model id's `%3A` is signed as `%253A`).
 */
export async function signAwsRequest(args: SignArgs): Promise<Record<string, string>> {
  const url = new URL(args.url);
  const signer = new SignatureV4({
    service: args.service,
    region: args.region,
    credentials: args.credentials,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const held = query[k];
    query[k] = held === undefined ? v : Array.isArray(held) ? [...held, v] : [held, v];
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(args.headers)) headers[k.toLowerCase()] = v;
  headers['host'] = url.host;
  const request = new HttpRequest({
    method: args.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers,
    body: args.body,
  });
  const signed = await signer.sign(request, args.date ? { signingDate: args.date } : {});
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers as Record<string, string>)) {
    const name = k.toLowerCase();
    if (name === 'authorization' || name.startsWith('x-amz-')) out[name] = v;
  }
  return out;
}
