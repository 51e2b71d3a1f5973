import { createHash, createHmac } from 'node:crypto';

/**
 * SigV4 recomputed from the request as received, written from AWS's specification with node:crypto alone (no SDK
 * code), so that the gateway's signer (smithy's) is checked against an independent implementation. Both are tested
 * against AWS's published signature test suite.
 */
export interface SigV4Input {
  method: string;
  /** the path as it arrived on the wire (percent-encodings kept) */
  rawPath: string;
  /** the query string as it arrived, without `?` */
  rawQuery: string;
  /** header name (lower case) → value(s) */
  headers: Record<string, string | string[] | undefined>;
  signedHeaders: string[];
  body: Buffer;
  /** `YYYYMMDDTHHMMSSZ` */
  amzDate: string;
  /** `YYYYMMDD/region/service/aws4_request` */
  scope: string;
  secretAccessKey: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986: everything but unreserved characters is percent-encoded (upper-case hex). */
export function awsUriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Non-S3 services encode each path segment once more: the `%3A` a client sent is signed as `%253A`. */
export function canonicalUri(rawPath: string): string {
  return rawPath.split('/').map(awsUriEncode).join('/') || '/';
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const at = p.indexOf('=');
      const k = decodeURIComponent(at < 0 ? p : p.slice(0, at));
      const v = at < 0 ? '' : decodeURIComponent(p.slice(at + 1));
      return [awsUriEncode(k), awsUriEncode(v)] as const;
    });
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function canonicalRequest(input: SigV4Input): string {
  const headers = input.signedHeaders
    .map((name) => {
      const v = input.headers[name];
      const value = (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
      return `${name}:${value}\n`;
    })
    .join('');
  const given = input.headers['x-amz-content-sha256'];
  const payloadHash = typeof given === 'string' ? given : sha256(input.body);
  return [input.method.toUpperCase(), canonicalUri(input.rawPath), canonicalQuery(input.rawQuery), headers, input.signedHeaders.join(';'), payloadHash].join(
    '\n',
  );
}

/** The hex signature AWS would compute for this request. */
export function sigV4Signature(input: SigV4Input): string {
  const [date, region, service] = input.scope.split('/');
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, input.scope, sha256(canonicalRequest(input))].join('\n');
  const kDate = hmac(`AWS4${input.secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
}

/** `AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=a;b, Signature=hex` → its parts, or null. */
export function parseSigV4Authorization(header: string): { accessKeyId: string; scope: string; signedHeaders: string[]; signature: string } | null {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(header.trim());
  if (!m) return null;
  return { accessKeyId: m[1], scope: m[2], signedHeaders: m[3].split(';'), signature: m[4] };
}
