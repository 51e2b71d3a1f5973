import { vertexEmbeddingVerb } from '@switchboard/protocols';
import type { UpstreamBody } from '../upstream-call.types';
import type { CredentialContext, Operation, PreparedRequest, ProviderAdapter, TargetArgs, UpstreamRequestTarget, WireProtocol } from '../provider.types';
import { mintAccessToken, parseServiceAccount } from './service-account';
import { vertexConfig, vertexConfigProblem, vertexOrigin } from './vertex-location';

/** The Messages version Anthropic models on Vertex take, in the body (the API's own `2023-06-01` is refused). */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

const isClaude = (model: string) => /^claude/i.test(model);

/** `claude-sonnet-4@20250514` keeps its `@` (Google's version separator); anything else is escaped for the path. */
const modelSegment = (model: string) => encodeURIComponent(model.replace(/^(?:publishers\/[^/]+\/)?models\//, '')).replace(/%40/g, '@');

function bodyJson(body: UpstreamBody): Record<string, unknown> | undefined {
  if (body instanceof FormData) return undefined;
  const v: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Google Vertex AI (SPEC §8 `vertex`): the key is a service-account JSON, traded per credential for an hour-long access
 * token; `config` names the project and location. Gemini models speak Gemini at `publishers/google`, Claude models
 * Anthropic Messages at `publishers/anthropic` (`:rawPredict`), embeddings Vertex's own `:predict`/`:embedContent`.
 */
export class VertexAdapter implements ProviderAdapter {
  readonly type = 'vertex';

  /** `now`: the clock tokens are dated by (tests drive it together with the token cache's). */
  constructor(private readonly now: () => number = Date.now) {}

  protocolFor(model: string, operation: Operation): WireProtocol | null {
    if (operation === 'generate') return isClaude(model) ? 'anthropic' : 'gemini';
    if (isClaude(model)) return null;
    if (operation === 'embed') return 'vertex-embeddings';
    // Imagen `:predict` or a Gemini image model's `:generateContent`, as the gemini type does.
    return operation === 'image.generate' ? 'gemini' : null;
  }

  configProblem(config: Readonly<Record<string, unknown>>): { field: string; message: string } | null {
    return vertexConfigProblem(config);
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    const { project, location } = vertexConfig(args.config);
    const publisher = args.protocol === 'anthropic' ? 'anthropic' : 'google';
    const base = `${vertexOrigin(args.baseUrl, location)}/v1/projects/${project}/locations/${location}/publishers/${publisher}/models/${modelSegment(args.model)}`;
    let verb: string;
    if (args.protocol === 'anthropic') verb = args.stream ? 'streamRawPredict' : 'rawPredict';
    else if (args.protocol === 'vertex-embeddings') verb = vertexEmbeddingVerb(args.model);
    else {
      verb = args.geminiAction ?? (args.stream ? 'streamGenerateContent' : 'generateContent');
      if (verb === 'streamGenerateContent') verb += '?alt=sse';
    }
    // The bearer token is minted per attempt in `prepare`.
    return { protocol: args.protocol, url: `${base}:${verb}`, headers: {} };
  }

  async prepare(req: PreparedRequest, cred: CredentialContext, protocol: WireProtocol): Promise<void> {
    const sa = parseServiceAccount(cred.apiKey);
    const token = await cred.services.tokens.get(sa.cacheKey, () => mintAccessToken(sa, cred.services.fetch, this.now()));
    req.headers.authorization = `Bearer ${token}`;
    if (protocol === 'anthropic') {
      // Vertex names the model in the path and the version in the body; `stream` stays, `anthropic-beta` stays a header.
      const body = bodyJson(req.body);
      if (body) {
        delete body.model;
        body.anthropic_version = VERTEX_ANTHROPIC_VERSION;
        req.body = JSON.stringify(body);
      }
      delete req.headers['anthropic-version'];
    } else if (protocol === 'gemini' && !req.url.includes(':predict')) {
      // Vertex refuses contents without a role ("Please use a valid role: user, model"), which the Gemini API accepts.
      const body = bodyJson(req.body);
      const contents = Array.isArray(body?.contents) ? (body.contents as unknown[]) : [];
      const roleless = contents.filter((c): c is Record<string, unknown> => !!c && typeof c === 'object' && !(c as Record<string, unknown>).role);
      if (roleless.length) {
        for (const c of roleless) c.role = 'user';
        req.body = JSON.stringify(body);
      }
    }
  }

  credentialRejected(cred: CredentialContext): void {
    try {
      cred.services.tokens.invalidate(parseServiceAccount(cred.apiKey).cacheKey);
    } catch {
      // a key that never parsed never had a token
    }
  }
}
