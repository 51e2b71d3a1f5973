/** OpenAI legacy Completions wire types (`POST /v1/completions`), the subset Switchboard produces. */
import type { OpenAiChatUsageWire } from '../core/usage.map';

/** Completions know only these three: a chat upstream's `tool_calls` cannot happen (no tools are sent). */
export type CompletionFinishReason = 'stop' | 'length' | 'content_filter';

export interface CompletionRequest {
  model: string;
  prompt: string;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  n?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  user?: string;
  stream?: true;
  stream_options?: { include_usage: true };
}

export interface CompletionChoice {
  text: string;
  index: number;
  logprobs: null;
  finish_reason: CompletionFinishReason | null;
}

/** The answer and each stream chunk share this shape (`object: "text_completion"` in both). */
export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: CompletionChoice[];
  usage?: OpenAiChatUsageWire | null;
}
