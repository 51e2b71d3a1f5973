import type { Operation, WireProtocol } from '../provider.types';

/** The OpenAI-shaped protocol of each operation beyond chat (chat and embeddings are chosen by the adapters). */
export const FAMILY_PROTOCOL: Readonly<Record<Exclude<Operation, 'generate' | 'embed'>, WireProtocol>> = {
  moderate: 'openai-moderations',
  rerank: 'rerank',
  'image.generate': 'openai-images',
  'image.edit': 'openai-images',
  'image.variation': 'openai-images',
  'audio.transcribe': 'openai-audio',
  'audio.translate': 'openai-audio',
  'audio.speech': 'openai-audio',
  realtime: 'openai-realtime',
};

/** What OpenAI's own API serves beyond chat: every family but rerank. */
export const OPENAI_FAMILIES: ReadonlySet<Operation> = new Set((Object.keys(FAMILY_PROTOCOL) as Operation[]).filter((op) => op !== 'rerank'));

const CHAT_PATHS: Partial<Record<WireProtocol, string>> = {
  'openai-chat': '/chat/completions',
  'openai-responses': '/responses',
  'openai-embeddings': '/embeddings',
  'openai-completions': '/completions',
  'openai-moderations': '/moderations',
  rerank: '/rerank',
  'openai-realtime': '/realtime',
};

const OPERATION_PATHS: Partial<Record<Operation, string>> = {
  'image.generate': '/images/generations',
  'image.edit': '/images/edits',
  'image.variation': '/images/variations',
  'audio.transcribe': '/audio/transcriptions',
  'audio.translate': '/audio/translations',
  'audio.speech': '/audio/speech',
};

/** The path of an OpenAI-shaped call under the API's version base (`/v1`), by protocol and, for families, operation. */
export function openAiPath(protocol: WireProtocol, operation: Operation): string | undefined {
  return protocol === 'openai-images' || protocol === 'openai-audio' ? OPERATION_PATHS[operation] : CHAT_PATHS[protocol];
}

/** Models OpenAI serves only through the legacy Completions API: relayed there as they are. */
export const COMPLETIONS_ONLY_MODEL = /(^|\/)(gpt-3\.5-turbo-instruct|davinci-002|babbage-002)/;
