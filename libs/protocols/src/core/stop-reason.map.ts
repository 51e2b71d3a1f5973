/** Stop / finish reason tables (§9.2), to and from the normalised IrStopReason. */
import type { IrStopReason } from './ir.types';

export type OpenAiFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';
export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export function fromOpenAiFinish(reason: string | null | undefined): IrStopReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function toOpenAiFinish(reason: IrStopReason): OpenAiFinishReason {
  switch (reason) {
    case 'stop':
    case 'stop_sequence':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
  }
}

export function fromAnthropicStop(reason: string | null | undefined): IrStopReason {
  switch (reason) {
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default: // end_turn, pause_turn
      return 'stop';
  }
}

export function toAnthropicStop(reason: IrStopReason): AnthropicStopReason {
  switch (reason) {
    case 'stop':
      return 'end_turn';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
  }
}

const GEMINI_FILTER = new Set([
  'SAFETY',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'LANGUAGE',
  'RECITATION',
  'IMAGE_RECITATION',
  'OTHER',
]);

/** Gemini has no tool-call finish reason: `STOP` + functionCall parts means tool calls (§10.10). */
export function fromGeminiFinish(reason: string | null | undefined, sawFunctionCall: boolean): IrStopReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && GEMINI_FILTER.has(reason)) return 'content_filter';
  return sawFunctionCall ? 'tool_calls' : 'stop';
}

export function toGeminiFinish(reason: IrStopReason): string {
  switch (reason) {
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    default:
      return 'STOP';
  }
}

export type ResponsesStatus = 'completed' | 'incomplete';

export function toResponsesStatus(reason: IrStopReason): {
  status: ResponsesStatus;
  incompleteReason?: 'max_output_tokens' | 'content_filter';
} {
  if (reason === 'length') return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
  if (reason === 'content_filter') return { status: 'incomplete', incompleteReason: 'content_filter' };
  return { status: 'completed' };
}

export function fromResponsesStatus(status: string | undefined, incompleteReason: string | undefined, sawFunctionCall: boolean): IrStopReason {
  if (status === 'incomplete') return incompleteReason === 'content_filter' ? 'content_filter' : 'length';
  return sawFunctionCall ? 'tool_calls' : 'stop';
}
