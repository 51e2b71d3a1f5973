import {
  deepSeekBalance,
  moonshotBalance,
  openAiDashboardBalance,
  openRouterBalance,
  openRouterKeyAllowance,
  type AllowanceReader,
  type BalanceReader,
} from '../accounts/account-readers';

/**
 * OpenAI-compatible providers are configuration, not code: a channel of one of these types is served by the OpenAI
 * adapter with the preset's default origin and version base. `openai-compatible` takes the channel's baseUrl as is.
 */
export interface OpenAiCompatiblePreset {
  baseUrl: string;
  /** the path between the origin and /chat/completions */
  versionBase: string;
  /** how the provider reports the account's balance, where it does (`GET /api/channels/:id/balance`) */
  balance?: BalanceReader;
  /** how it reports a key's allowance, where it does (the key pool's `usage`) */
  keyAllowance?: AllowanceReader;
}

export const OPENAI_COMPATIBLE_PRESETS: Record<string, OpenAiCompatiblePreset> = {
  // relays built on new-api/one-api answer OpenAI's legacy billing dashboard to their API keys
  'openai-compatible': { baseUrl: '', versionBase: '/v1', balance: openAiDashboardBalance },
  deepseek: { baseUrl: 'https://api.deepseek.com', versionBase: '/v1', balance: deepSeekBalance },
  moonshot: { baseUrl: 'https://api.moonshot.cn', versionBase: '/v1', balance: moonshotBalance },
  qwen: { baseUrl: 'https://dashscope.aliyuncs.com', versionBase: '/compatible-mode/v1' },
  zhipu: { baseUrl: 'https://open.bigmodel.cn', versionBase: '/api/paas/v4' },
  doubao: { baseUrl: 'https://ark.cn-beijing.volces.com', versionBase: '/api/v3' },
  mistral: { baseUrl: 'https://api.mistral.ai', versionBase: '/v1' },
  groq: { baseUrl: 'https://api.groq.com', versionBase: '/openai/v1' },
  xai: { baseUrl: 'https://api.x.ai', versionBase: '/v1' },
  openrouter: { baseUrl: 'https://openrouter.ai', versionBase: '/api/v1', balance: openRouterBalance, keyAllowance: openRouterKeyAllowance },
  ollama: { baseUrl: 'http://127.0.0.1:11434', versionBase: '/v1' },
  vllm: { baseUrl: 'http://127.0.0.1:8000', versionBase: '/v1' },
};
