/**
 * Built-in list prices, USD per million tokens (input, output, cache read, cache write). Admins override them
 * through PUT /api/prices/:model; a built-in row is only inserted when the model has no price yet.
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
};
