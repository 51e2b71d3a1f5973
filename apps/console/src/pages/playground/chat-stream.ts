import { createParser } from 'eventsource-parser';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  model: string;
  system: string;
  temperature: number | null;
  maxTokens: number | null;
  stream: boolean;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
}

/** What one answer brought: its text, any reasoning the model streamed apart, usage, and why it stopped. */
export interface ChatAnswer {
  content: string;
  reasoning: string;
  usage: ChatUsage | null;
  finishReason: string | null;
}

/** The OpenAI Chat Completions body for the conversation so far (the system prompt first, when there is one). */
export function chatRequestBody(options: ChatOptions, history: ChatMessage[]): Record<string, unknown> {
  const messages = options.system.trim() ? [{ role: 'system', content: options.system }, ...history] : history;
  return {
    model: options.model,
    messages,
    ...(options.temperature !== null ? { temperature: options.temperature } : {}),
    ...(options.maxTokens !== null ? { max_tokens: options.maxTokens } : {}),
    // Usage arrives in a last chunk only when asked for.
    ...(options.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

interface ChunkShape {
  choices?: {
    delta?: { content?: string | null; reasoning_content?: string | null };
    message?: { content?: string | null; reasoning_content?: string | null };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

const usageOf = (u: ChunkShape['usage']): ChatUsage | null =>
  u && typeof u.prompt_tokens === 'number' ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens ?? 0 } : null;

/** A non-streamed answer (`chat.completion`). */
export function answerOfJson(json: unknown): ChatAnswer {
  const c = json as ChunkShape;
  const choice = c.choices?.[0];
  return {
    content: choice?.message?.content ?? '',
    reasoning: choice?.message?.reasoning_content ?? '',
    usage: usageOf(c.usage),
    finishReason: choice?.finish_reason ?? null,
  };
}

/** An error event inside a stream (the gateway's or the upstream's), surfaced with its message. */
export class StreamError extends Error {}

/**
 * Reads a Chat Completions event stream, calling `onText` with each piece of content or reasoning as it arrives.
 * Events split across network reads are joined by the parser; `[DONE]` ends it; an `error` event throws.
 */
export async function readChatStream(body: ReadableStream<Uint8Array>, onText: (piece: { content?: string; reasoning?: string }) => void): Promise<ChatAnswer> {
  const answer: ChatAnswer = { content: '', reasoning: '', usage: null, finishReason: null };
  let failure: StreamError | null = null;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]' || failure) return;
      let chunk: ChunkShape;
      try {
        chunk = JSON.parse(event.data) as ChunkShape;
      } catch {
        failure = new StreamError(`unreadable event: ${event.data.slice(0, 200)}`);
        return;
      }
      if (chunk.error || event.event === 'error') {
        failure = new StreamError(chunk.error?.message ?? event.data);
        return;
      }
      const choice = chunk.choices?.[0];
      const content = choice?.delta?.content ?? '';
      const reasoning = choice?.delta?.reasoning_content ?? '';
      if (content) answer.content += content;
      if (reasoning) answer.reasoning += reasoning;
      if (content || reasoning) onText({ ...(content ? { content } : {}), ...(reasoning ? { reasoning } : {}) });
      if (choice?.finish_reason) answer.finishReason = choice.finish_reason;
      answer.usage = usageOf(chunk.usage) ?? answer.usage;
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
    if (failure) {
      await reader.cancel().catch(() => undefined);
      throw failure as StreamError;
    }
  }
  return answer;
}

/** The message of an error answer in OpenAI's shape (or the status line when it is not JSON). */
export async function errorMessageOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 300)}` : ''}`.trim();
}

/** The models a playground may offer: every exact model a channel names and every alias, sorted, without wildcards. */
export function offeredModels(channelModels: string[][], aliases: string[]): string[] {
  return [...new Set([...channelModels.flat(), ...aliases])].filter((m) => m && !m.includes('*')).sort();
}
