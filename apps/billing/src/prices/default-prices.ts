/**
 * Built-in list prices, USD per million tokens (input, output, cache read, cache write). Admins override them
 * through PUT /api/prices/:model; a built-in row is only inserted when the model has no price yet. Models billed in
 * other units (images, audio minutes, speech characters, search units) also have a line in DEFAULT_UNIT_PRICES.
 */
export const DEFAULT_PRICES: Record<string, [number, number, number, number]> = {
  // OpenAI
  'gpt-4o': [2.5, 10, 1.25, 0],
  'gpt-4o-mini': [0.15, 0.6, 0.075, 0],
  'gpt-4.1': [2, 8, 0.5, 0],
  'gpt-4.1-mini': [0.4, 1.6, 0.1, 0],
  'gpt-4.1-nano': [0.1, 0.4, 0.025, 0],
  'gpt-5': [1.25, 10, 0.125, 0],
  'gpt-5-mini': [0.25, 2, 0.025, 0],
  'gpt-5-nano': [0.05, 0.4, 0.005, 0],
  o1: [15, 60, 7.5, 0],
  o3: [2, 8, 0.5, 0],
  'o3-mini': [1.1, 4.4, 0.55, 0],
  'o4-mini': [1.1, 4.4, 0.275, 0],
  'text-embedding-3-small': [0.02, 0, 0, 0],
  'text-embedding-3-large': [0.13, 0, 0, 0],
  'gpt-3.5-turbo-instruct': [1.5, 2, 0, 0],
  // OpenAI images: gpt-image-1 is billed from the response's token usage (text $5, image output $40 per M), never per
  // image as well (that would bill its output twice); DALL·E per image (DEFAULT_UNIT_PRICES)
  'gpt-image-1': [5, 40, 1.25, 0],
  'dall-e-3': [0, 0, 0, 0],
  'dall-e-2': [0, 0, 0, 0],
  // OpenAI audio: transcription per minute, tts-1 per character (DEFAULT_UNIT_PRICES); gpt-4o-mini-tts by tokens
  // (text in $0.60, audio out $12 per M)
  'whisper-1': [0, 0, 0, 0],
  'gpt-4o-transcribe': [0, 0, 0, 0],
  'gpt-4o-mini-transcribe': [0, 0, 0, 0],
  'tts-1': [0, 0, 0, 0],
  'tts-1-hd': [0, 0, 0, 0],
  'gpt-4o-mini-tts': [0.6, 12, 0, 0],
  // OpenAI moderations are free (a price of 0, so UNPRICED_MODEL_POLICY=reject lets them through)
  'omni-moderation-latest': [0, 0, 0, 0],
  'text-moderation-latest': [0, 0, 0, 0],
  // Anthropic
  'claude-opus-4-1': [15, 75, 1.5, 18.75],
  'claude-opus-4-5': [5, 25, 0.5, 6.25],
  'claude-sonnet-4': [3, 15, 0.3, 3.75],
  'claude-sonnet-4-5': [3, 15, 0.3, 3.75],
  'claude-3-7-sonnet': [3, 15, 0.3, 3.75],
  'claude-3-5-haiku': [0.8, 4, 0.08, 1],
  'claude-haiku-4-5': [1, 5, 0.1, 1.25],
  // Google
  'gemini-2.5-pro': [1.25, 10, 0.31, 0],
  'gemini-2.5-flash': [0.3, 2.5, 0.075, 0],
  'gemini-2.5-flash-lite': [0.1, 0.4, 0.025, 0],
  'gemini-2.0-flash': [0.1, 0.4, 0.025, 0],
  'gemini-embedding-001': [0.15, 0, 0, 0],
  'imagen-3.0-generate-002': [0, 0, 0, 0],
  // DeepSeek
  'deepseek-chat': [0.27, 1.1, 0.07, 0],
  'deepseek-reasoner': [0.55, 2.19, 0.14, 0],
  // Qwen (DashScope international)
  'qwen-max': [1.6, 6.4, 0, 0],
  'qwen-plus': [0.4, 1.2, 0, 0],
  'qwen-turbo': [0.05, 0.2, 0, 0],
  // Moonshot
  'kimi-k2': [0.6, 2.5, 0.15, 0],
  'moonshot-v1-8k': [0.2, 2, 0, 0],
  // Mistral
  'mistral-large-latest': [2, 6, 0, 0],
  'mistral-small-latest': [0.2, 0.6, 0, 0],
  // Rerank: Cohere per search unit (DEFAULT_UNIT_PRICES); Jina and Voyage by tokens
  'rerank-v3.5': [0, 0, 0, 0],
  'jina-reranker-v2-base-multilingual': [0.018, 0, 0, 0],
  'rerank-2': [0.05, 0, 0, 0],
};

/** A built-in price's units (SPEC §8), USD: per image (by `size` or `quality:size`), audio minute, million speech characters, search unit. */
export interface UnitListPrices {
  perImage?: number;
  perImageBySize?: Record<string, number>;
  audioInputPerMinute?: number;
  speechPerMillionChars?: number;
  perSearchUnit?: number;
}

/** The unit list prices of the models of DEFAULT_PRICES billed in units (every key is one of DEFAULT_PRICES). */
export const DEFAULT_UNIT_PRICES: Record<string, UnitListPrices> = {
  'dall-e-3': {
    perImageBySize: {
      '1024x1024': 0.04,
      '1024x1792': 0.08,
      '1792x1024': 0.08,
      'hd:1024x1024': 0.08,
      'hd:1024x1792': 0.12,
      'hd:1792x1024': 0.12,
    },
  },
  'dall-e-2': { perImageBySize: { '256x256': 0.016, '512x512': 0.018, '1024x1024': 0.02 } },
  'imagen-3.0-generate-002': { perImage: 0.04 },
  'whisper-1': { audioInputPerMinute: 0.006 },
  'gpt-4o-transcribe': { audioInputPerMinute: 0.006 },
  'gpt-4o-mini-transcribe': { audioInputPerMinute: 0.003 },
  'tts-1': { speechPerMillionChars: 15 },
  'tts-1-hd': { speechPerMillionChars: 30 },
  'rerank-v3.5': { perSearchUnit: 0.002 },
};
