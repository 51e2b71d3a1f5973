import { COMPLETIONS_ONLY_MODEL, FAMILY_PROTOCOL, openAiPath } from '../openai/openai-endpoints';
import {
  normalizeBaseUrl,
  webSocketOrigin,
  type CredentialContext,
  type Operation,
  type PreparedRequest,
  type ProviderAdapter,
  type TargetArgs,
  type UpstreamRequestTarget,
  type WireProtocol,
} from '../provider.types';
import { DEFAULT_AUTHORITY_HOST, DEFAULT_ENTRA_SCOPE, entraCacheKey, entraCredentialOf, mintEntraToken } from './entra-credential';

/** The api-version of a channel that names none: the last dated GA in common use, what azure channels always sent. */
export const AZURE_API_VERSION = '2024-10-21';

/** `v1` (the versionless GA API), or a dated `YYYY-MM-DD` / `YYYY-MM-DD-preview`. */
const API_VERSION = /^(?:v1|\d{4}-\d{2}-\d{2}(?:-preview)?)$/;

const AZURE_FAMILIES: ReadonlySet<Operation> = new Set<Operation>([
  'image.generate',
  'image.edit',
  'audio.transcribe',
  'audio.translate',
  'audio.speech',
  'realtime',
]);

const SETTINGS = ['apiVersion', 'authorityHost', 'scope'];

interface AzureSettings {
  apiVersion?: string;
  authorityHost: string;
  scope: string;
}

function settingsOf(config: Readonly<Record<string, unknown>> | undefined): AzureSettings {
  const c = config ?? {};
  return {
    apiVersion: typeof c.apiVersion === 'string' && c.apiVersion !== '' ? c.apiVersion : undefined,
    authorityHost: typeof c.authorityHost === 'string' && c.authorityHost !== '' ? c.authorityHost.replace(/\/+$/, '') : DEFAULT_AUTHORITY_HOST,
    scope: typeof c.scope === 'string' && c.scope !== '' ? c.scope : DEFAULT_ENTRA_SCOPE,
  };
}

/**
 * Azure OpenAI. `config.apiVersion` picks the URL style: `v1` → `/openai/v1/{path}` (the deployment as the body's
 * `model`, no api-version); a dated version (or none: AZURE_API_VERSION) → `/openai/deployments/{dep}/{path}?api-version=`,
 * Responses at `/openai/responses?api-version=` (not deployment-scoped). A key is an `api-key`, or a Microsoft Entra ID
 * app credential `{ tenantId, clientId, clientSecret }` whose client-credentials token goes as `Authorization: Bearer`
 * (minted per attempt through the shared token cache, from `config.authorityHost`, forgotten on a 401).
 */
export class AzureAdapter implements ProviderAdapter {
  readonly type = 'azure';

  protocolFor(model: string, operation: Operation, inbound: WireProtocol, declared = false): WireProtocol | null {
    if (operation === 'embed') return 'openai-embeddings';
    if (operation === 'generate') {
      if (inbound === 'openai-completions') return declared || COMPLETIONS_ONLY_MODEL.test(model) ? 'openai-completions' : 'openai-chat';
      return inbound === 'openai-responses' ? 'openai-responses' : 'openai-chat';
    }
    // Azure has no moderations endpoint (its content filter runs on every call) and no rerank.
    return declared || AZURE_FAMILIES.has(operation) ? FAMILY_PROTOCOL[operation] : null;
  }

  configProblem(config: Readonly<Record<string, unknown>>): { field: string; message: string } | null {
    // A misspelt setting would be ignored without a word: refuse it.
    const unknown = Object.keys(config).find((k) => !SETTINGS.includes(k));
    if (unknown !== undefined) return { field: unknown, message: `is not a setting of azure channels (${SETTINGS.join(', ')})` };
    const { apiVersion, authorityHost, scope } = config;
    if (apiVersion !== undefined && (typeof apiVersion !== 'string' || !API_VERSION.test(apiVersion))) {
      return { field: 'apiVersion', message: 'must be "v1", a dated version YYYY-MM-DD or YYYY-MM-DD-preview' };
    }
    if (authorityHost !== undefined && (typeof authorityHost !== 'string' || !/^https?:\/\/[^/?#\s]+\/?$/i.test(authorityHost))) {
      return { field: 'authorityHost', message: 'must be the origin of the Entra ID authority, e.g. https://login.microsoftonline.com' };
    }
    if (scope !== undefined && (typeof scope !== 'string' || scope.trim() === '')) return { field: 'scope', message: 'must be a non-empty string' };
    return null;
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const base = normalizeBaseUrl(args.baseUrl, ['/openai/v1', '/openai']);
    const version = settingsOf(args.config).apiVersion;
    const dep = encodeURIComponent(args.model);
    // An Entra credential is never sent as it is: prepare() puts its token on the request.
    const headers: Record<string, string> = args.apiKey.trim().startsWith('{') ? {} : { 'api-key': args.apiKey };
    const path = openAiPath(args.protocol, args.operation) ?? '/chat/completions';
    if (args.protocol === 'openai-realtime') {
      // GA Realtime lives on the v1 API; a channel pinned to a dated (preview) version gets that API's realtime path.
      const url =
        version && version !== 'v1'
          ? `${webSocketOrigin(base)}/openai/realtime?api-version=${version}&deployment=${dep}`
          : `${webSocketOrigin(base)}/openai/v1/realtime?model=${dep}`;
      return { protocol: args.protocol, url, headers };
    }
    if (version === 'v1') return { protocol: args.protocol, url: `${base}/openai/v1${path}`, headers };
    const scoped = args.protocol === 'openai-responses' ? '/openai/responses' : `/openai/deployments/${dep}${path}`;
    return { protocol: args.protocol, url: `${base}${scoped}?api-version=${version ?? AZURE_API_VERSION}`, headers };
  }

  async prepare(req: PreparedRequest, cred: CredentialContext): Promise<void> {
    const entra = entraCredentialOf(cred.apiKey);
    if (!entra) return;
    const { authorityHost, scope } = settingsOf(cred.config);
    const token = await cred.services.tokens.get(entraCacheKey(entra, authorityHost, scope), () => mintEntraToken(cred.services, entra, authorityHost, scope));
    delete req.headers['api-key'];
    req.headers.authorization = `Bearer ${token}`;
  }

  credentialRejected(cred: CredentialContext): void {
    let entra;
    try {
      entra = entraCredentialOf(cred.apiKey);
    } catch {
      return;
    }
    if (!entra) return;
    const { authorityHost, scope } = settingsOf(cred.config);
    cred.services.tokens.invalidate(entraCacheKey(entra, authorityHost, scope));
  }
}
