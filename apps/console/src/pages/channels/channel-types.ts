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
