import { isBedrockAnthropicModel, type GatewayError } from '@switchboard/protocols';
import {
  CredentialError,
  type CredentialContext,
  type Operation,
  type PreparedRequest,
  type ProviderAdapter,
  type StreamFramer,
  type TargetArgs,
  type UpstreamRequestTarget,
  type WireProtocol,
} from '../provider.types';
import { parseBedrockKey, signAwsRequest } from './bedrock-credentials';
import { bedrockUpstreamError } from './bedrock-errors';
import { BedrockStreamFramer } from './bedrock-stream.framer';

/** us-east-1, eu-central-2, ap-southeast-2, us-gov-west-1… */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** An AWS bedrock-runtime host (standard or FIPS): it follows the channel's region, so changing the region moves it. */
const AWS_HOST = /^https:\/\/bedrock-runtime(-fips)?\.[a-z0-9-]+\.amazonaws\.com$/i;
/** What InvokeModel takes instead of Anthropic's `anthropic-version` header. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';
const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/** `https://bedrock-runtime.{region}.amazonaws.com`: the default host of a bedrock channel in that region. */
export function bedrockRuntimeHost(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}

function regionOf(config: Readonly<Record<string, unknown>> | undefined): string {
  const region = config?.['region'];
  return typeof region === 'string' ? region.trim() : '';
}

/**
 * AWS Bedrock (bedrock-runtime). Every model family through Converse (`bedrock-converse`); an Anthropic Messages
 * client asking for a Claude model goes through InvokeModel with the Anthropic body instead (protocol `anthropic`),
 * so cache_control, thinking, betas and every other Claude field pass through untouched. Auth per attempt in
 * `prepare`: SigV4 (service `bedrock`, the channel's `config.region`) for `AKID:SECRET[:TOKEN]` keys, Bearer for
 * Bedrock API keys. `baseUrl` replaces the regional host (a VPC endpoint, a proxy, a test fake).
 */
export class BedrockAdapter implements ProviderAdapter {
  readonly type = 'bedrock';

  protocolFor(model: string, operation: Operation, inbound: WireProtocol): WireProtocol | null {
    if (operation !== 'generate') return null;
    return inbound === 'anthropic' && isBedrockAnthropicModel(model) ? 'anthropic' : 'bedrock-converse';
  }

  configProblem(config: Readonly<Record<string, unknown>>): { field: string; message: string } | null {
    const region = config['region'];
    if (region === undefined || region === null || region === '')
      return { field: 'region', message: 'required: the AWS region of the channel, e.g. us-east-1' };
    if (typeof region !== 'string' || !REGION.test(region.trim())) return { field: 'region', message: 'must be an AWS region such as us-east-1' };
    return null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const region = regionOf(args.config);
    const given = args.baseUrl.trim().replace(/\/+$/, '');
    const fips = /^https:\/\/bedrock-runtime-fips\./i.test(given);
    const host = !given || AWS_HOST.test(given) ? (fips ? `https://bedrock-runtime-fips.${region}.amazonaws.com` : bedrockRuntimeHost(region)) : given;
    // The model id is one path segment: `:` and an ARN's `/` are percent-encoded once (and signed as sent).
    const model = encodeURIComponent(args.model);
    const action = args.protocol === 'anthropic' ? (args.stream ? 'invoke-with-response-stream' : 'invoke') : args.stream ? 'converse-stream' : 'converse';
    return {
      protocol: args.protocol,
      url: `${host}/model/${model}/${action}`,
      headers: { 'content-type': 'application/json', accept: args.stream ? EVENT_STREAM : 'application/json' },
    };
  }

  async prepare(req: PreparedRequest, cred: CredentialContext, protocol: WireProtocol): Promise<void> {
    if (protocol === 'anthropic') toInvokeModelBody(req);
    const key = parseBedrockKey(cred.apiKey);
    if (key.kind === 'bearer') {
      if (!key.apiKey) throw new CredentialError('empty Bedrock key', 401);
      req.headers['authorization'] = `Bearer ${key.apiKey}`;
      return;
    }
    const region = regionOf(cred.config);
    if (!region) throw new CredentialError('the channel has no config.region to sign for', 500);
    const body = typeof req.body === 'string' ? req.body : req.body instanceof Buffer ? new Uint8Array(req.body) : undefined;
    if (body === undefined) throw new CredentialError('a form body cannot be sent to Bedrock', 500);
    for (const name of Object.keys(req.headers))
      if (name.toLowerCase() === 'authorization' || name.toLowerCase().startsWith('x-amz-')) delete req.headers[name];
    const signed = await signAwsRequest({ method: 'POST', url: req.url, headers: req.headers, body, region, service: 'bedrock', credentials: key });
    Object.assign(req.headers, signed);
  }

  streamFramer(protocol: WireProtocol): StreamFramer | undefined {
    return protocol === 'anthropic' || protocol === 'bedrock-converse' ? new BedrockStreamFramer(protocol) : undefined;
  }

  upstreamError(status: number, header: (name: string) => string | undefined, body: string): GatewayError | null {
    return bedrockUpstreamError(status, header, body);
  }
}

/**
 * An Anthropic Messages body as InvokeModel takes it: no `model` (the path names it) and no `stream` (the path
 * decides), `anthropic_version` in the body, and the client's `anthropic-beta` header as `anthropic_beta`.
 */
function toInvokeModelBody(req: PreparedRequest): void {
  const text = typeof req.body === 'string' ? req.body : req.body instanceof Buffer ? req.body.toString('utf8') : null;
  if (text === null) throw new CredentialError('a form body cannot be sent to Bedrock', 500);
  const body = JSON.parse(text) as Record<string, unknown>;
  delete body['model'];
  delete body['stream'];
  body['anthropic_version'] = BEDROCK_ANTHROPIC_VERSION;
  const betas = new Set(Array.isArray(body['anthropic_beta']) ? (body['anthropic_beta'] as unknown[]).filter((b): b is string => typeof b === 'string') : []);
  for (const name of Object.keys(req.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'anthropic-beta') for (const b of req.headers[name].split(',')) if (b.trim()) betas.add(b.trim());
    if (lower === 'anthropic-beta' || lower === 'anthropic-version' || lower === 'x-api-key') delete req.headers[name];
  }
  if (betas.size > 0) body['anthropic_beta'] = [...betas];
  req.body = JSON.stringify(body);
}
