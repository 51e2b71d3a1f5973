/**
 * The channel types the router accepts (libs/providers' registry: CHANNEL_TYPES). Repeated here because the console
 * bundle imports no server code; channel-types.spec.ts fails when the two lists drift apart.
 */
export const CHANNEL_TYPE_OPTIONS: readonly string[] = [
  'openai',
  'anthropic',
  'gemini',
  'aihubmix',
  'azure',
  'cohere',
  'jina',
  'voyage',
  'bedrock',
  'kiro',
  'vertex',
  'openai-compatible',
  'deepseek',
  'moonshot',
  'qwen',
  'zhipu',
  'doubao',
  'mistral',
  'groq',
  'xai',
  'openrouter',
  'ollama',
  'vllm',
];

/** Types whose provider reports an account balance (`GET /api/channels/:id/balance`; the registry's reportsBalance). */
export const TYPES_WITH_BALANCE: readonly string[] = ['openai-compatible', 'deepseek', 'moonshot', 'openrouter'];

/** Types whose base URL has no default (the channel must name one). */
export const TYPES_NEEDING_BASE_URL: readonly string[] = ['azure', 'openai-compatible'];

/**
 * The endpoint families a channel may declare (`endpoints`; the router's ENDPOINT_FAMILIES from the protocol registry),
 * repeated for the same reason; channel-types.spec.ts fails when they drift apart.
 */
export const ENDPOINT_FAMILY_OPTIONS: readonly string[] = [
  'completions',
  'moderations',
  'images.generations',
  'images.edits',
  'images.variations',
  'audio.transcriptions',
  'audio.translations',
  'audio.speech',
  'rerank',
  'realtime',
];

/** One setting of a channel type's `config` (SPEC §8): its API name (shown as is) and an example value. */
export interface ChannelConfigField {
  name: string;
  placeholder: string;
  required?: boolean;
}

/**
 * The `config` settings each type takes, as the console asks for them (the provider's configProblem checks them on
 * save); a type without an entry has none. Adding a provider with settings: one line here.
 */
export const CHANNEL_CONFIG_FIELDS: Readonly<Record<string, readonly ChannelConfigField[]>> = {
  bedrock: [{ name: 'region', placeholder: 'us-east-1', required: true }],
  kiro: [
    { name: 'refreshUrl', placeholder: 'https://prod.us-east-1.auth.desktop.kiro.dev/refreshToken' },
    { name: 'usageUrl', placeholder: 'https://q.us-east-1.amazonaws.com/getUsageLimits' },
  ],
  azure: [
    // empty: the dated deployments API at 2024-10-21; `v1` or another dated version (2025-04-01-preview) otherwise
    { name: 'apiVersion', placeholder: 'v1' },
    // where Entra ID keys ({ tenantId, clientId, clientSecret }) get their tokens; sovereign clouds change both
    { name: 'authorityHost', placeholder: 'https://login.microsoftonline.com' },
    { name: 'scope', placeholder: 'https://cognitiveservices.azure.com/.default' },
  ],
  vertex: [
    { name: 'project', placeholder: 'my-project-123', required: true },
    { name: 'location', placeholder: 'us-central1', required: true },
  ],
};

/**
 * What a key of the type looks like where it is not a plain API key (the create form's placeholder; README "Channel
 * types" says the same). JSON credentials are pasted as they are or picked as a `.json` file.
 */
export const CHANNEL_KEY_SHAPES: Readonly<Record<string, string>> = {
  bedrock: 'ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN] | ABSK…',
  vertex: '{ "type": "service_account", "project_id": …, "private_key": …, "client_email": …, "token_uri": … }',
  kiro: '{ "refreshToken": …, "authMethod": "social" | "IdC" | "builder-id", "region"?, "profileArn"?, "clientId"?, "clientSecret"? }',
  azure: 'api-key | { "tenantId": …, "clientId": …, "clientSecret": … }',
};

/** The settings to send: the type's fields with a value, trimmed; others (left from another type) dropped. */
export function configForType(type: string, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of CHANNEL_CONFIG_FIELDS[type] ?? []) {
    const v = values[f.name]?.trim();
    if (v) out[f.name] = v;
  }
  return out;
}
