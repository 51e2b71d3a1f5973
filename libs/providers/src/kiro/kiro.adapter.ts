import { randomUUID } from 'node:crypto';
import {
  normalizeBaseUrl,
  type CredentialContext,
  type KeyAllowance,
  type Operation,
  type PreparedRequest,
  type ProviderAdapter,
  type StreamFramer,
  type TargetArgs,
  type UpstreamRequestTarget,
  type WireProtocol,
} from '../provider.types';
import { kiroSession, kiroTokenKey } from './kiro-auth';
import { kiroMachineId, kiroRegionOf, parseKiroCredential } from './kiro-credential';
import { KiroEventStreamFramer } from './kiro-event-stream.framer';
import { kiroAllowance } from './kiro-usage';

/** The channel's default base URL: `{region}` is the credential's (each account of a pool may live in its own region). */
export const KIRO_DEFAULT_BASE_URL = 'https://q.{region}.amazonaws.com';
/** The IDE version the headers claim (AIClient-2-API pins it: newer versions broke AWS logins). */
const KIRO_VERSION = '0.11.63';
const SDK = 'aws-sdk-js/1.0.34';
const SETTINGS = ['refreshUrl', 'usageUrl'];

function hostFor(baseUrl: string, region: string): string {
  return normalizeBaseUrl((baseUrl || KIRO_DEFAULT_BASE_URL).replace(/\{region\}/g, region));
}

function refreshTokenOrKey(key: string): string {
  try {
    return parseKiroCredential(key).refreshToken;
  } catch {
    return key;
  }
}

/**
 * Kiro (AWS CodeWhisperer's IDE backend) account pools: a key is an account's JSON credential, exchanged for an access
 * token before each attempt (cached, refreshed once however many requests or replicas need it), Claude models over
 * `generateAssistantResponse`, whose binary event stream is framed into SSE for the `kiro` decoder.
 */
export class KiroAdapter implements ProviderAdapter {
  readonly type = 'kiro';
  /** "The bearer token included in the request is invalid." comes as a 403 (AIClient-2-API refreshes on it too). */
  readonly staleCredentialStatuses = [401, 403] as const;

  protocolFor(_model: string, operation: Operation): WireProtocol | null {
    return operation === 'generate' ? 'kiro' : null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const machine = kiroMachineId(refreshTokenOrKey(args.apiKey));
    const ide = `KiroIDE-${KIRO_VERSION}-${machine}`;
    return {
      protocol: 'kiro',
      url: `${hostFor(args.baseUrl, kiroRegionOf(args.apiKey))}/generateAssistantResponse`,
      // The IDE's own headers: the backend serves what looks like Kiro (§3.2). The token is added by `prepare`.
      headers: {
        'x-amz-user-agent': `${SDK} ${ide}`,
        'user-agent': `${SDK} ua/2.1 os/linux lang/js md/nodejs#20 api/codewhispererstreaming#1.0.34 m/E ${ide}`,
        'x-amzn-codewhisperer-optout': 'true',
        'x-amzn-kiro-agent-mode': 'vibe',
        'amz-sdk-request': 'attempt=1; max=3',
      },
    };
  }

  async prepare(req: PreparedRequest, cred: CredentialContext, protocol: WireProtocol): Promise<void> {
    const account = parseKiroCredential(cred.apiKey);
    const session = await kiroSession(account, cred);
    req.headers.authorization = `Bearer ${session.accessToken}`;
    req.headers['amz-sdk-invocation-id'] = randomUUID();
    // The profile ARN is per account: the key's own, else the one its social login answered; `null` in the key: none.
    const profileArn = account.profileArn === null ? undefined : (account.profileArn ?? session.profileArn);
    if (protocol === 'kiro' && profileArn && typeof req.body === 'string') {
      req.body = JSON.stringify({ ...(JSON.parse(req.body) as Record<string, unknown>), profileArn });
    }
  }

  credentialRejected(cred: CredentialContext): void {
    try {
      cred.services.tokens.invalidate(kiroTokenKey(parseKiroCredential(cred.apiKey)));
    } catch {
      // a key that does not parse has no token to drop
    }
  }

  streamFramer(protocol: WireProtocol): StreamFramer | undefined {
    return protocol === 'kiro' ? new KiroEventStreamFramer() : undefined;
  }

  configProblem(config: Readonly<Record<string, unknown>>): { field: string; message: string } | null {
    for (const [field, value] of Object.entries(config)) {
      if (!SETTINGS.includes(field)) return { field, message: `not a kiro setting (${SETTINGS.join(', ')})` };
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string' || !/^https?:\/\/[^\s/]+/i.test(value.trim()) || !URL.canParse(value.trim()))
        return { field, message: 'must be an http(s) URL' };
    }
    return null;
  }

  async keyAllowance(cred: CredentialContext): Promise<KeyAllowance | null> {
    const account = parseKiroCredential(cred.apiKey);
    return kiroAllowance(account, cred, hostFor(cred.baseUrl, account.region));
  }
}
