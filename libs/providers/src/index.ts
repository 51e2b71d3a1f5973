export * from './provider.types';
export * from './registry';
export * from './openai/openai.adapter';
export * from './anthropic/anthropic.adapter';
export * from './gemini/gemini.adapter';
export * from './aihubmix/aihubmix.adapter';
export * from './azure/azure.adapter';
export * from './openai-compatible/openai-compatible.presets';
