/** OpenAI Responses API wire types (§3), the subset Switchboard produces. */
import type { ResponsesUsageWire } from '../core/usage.map';
import type { JsonObject } from '../core/json.util';

export type ResponsesInputContent =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url?: string; file_id?: string; detail: string }
  | { type: 'input_file'; file_data?: string; file_id?: string; file_url?: string; filename?: string };

export type ResponsesInputItem =
  | { type: 'message'; role: 'user' | 'system' | 'developer'; content: ResponsesInputContent[] }
  | { type: 'message'; role: 'assistant'; content: string }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; call_id: string; output: string }
  | { type: 'reasoning'; id: string; summary: { type: 'summary_text'; text: string }[]; encrypted_content?: string };

export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters: JsonObject;
  strict: boolean;
}

export type ResponsesToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; name: string }
  | { type: 'allowed_tools'; mode: 'auto' | 'required'; tools: { type: 'function'; name: string }[] };

export type ResponsesTextFormat =
  { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: JsonObject; description?: string; strict?: boolean };

export interface ResponsesRequest {
  model: string;
  input: ResponsesInputItem[];
  instructions?: string;
  stream?: boolean;
  store?: boolean;
  include?: string[];
  max_output_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_logprobs?: number;
  tools?: ResponsesFunctionTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean;
  text?: { format: ResponsesTextFormat };
  reasoning?: { effort?: string; summary?: 'auto' | 'concise' | 'detailed' };
  user?: string;
  metadata?: Record<string, string>;
  service_tier?: string;
}

export interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs?: unknown[];
}

export interface ResponsesMessageItem {
  id: string;
  type: 'message';
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: (ResponsesOutputText | { type: 'refusal'; refusal: string })[];
}

export interface ResponsesFunctionCallItem {
  id: string;
  type: 'function_call';
  status: 'in_progress' | 'completed' | 'incomplete';
  call_id: string;
  name: string;
  arguments: string;
}

export interface ResponsesReasoningItem {
  id: string;
  type: 'reasoning';
  summary: { type: 'summary_text'; text: string }[];
  encrypted_content?: string | null;
  status?: 'in_progress' | 'completed';
}

/** A web search run for the answer (the gateway's, shown as OpenAI's hosted tool shows its own). */
export interface ResponsesWebSearchItem {
  id: string;
  type: 'web_search_call';
  status: 'in_progress' | 'completed';
  action: { type: 'search'; query: string; sources?: { type: 'url'; url: string }[] };
}

export interface ResponsesUrlCitation {
  type: 'url_citation';
  url: string;
  title: string;
  start_index: number;
  end_index: number;
}

export type ResponsesOutputItem = ResponsesMessageItem | ResponsesFunctionCallItem | ResponsesReasoningItem | ResponsesWebSearchItem;

export interface ResponsesResponse {
  id: string;
  object: 'response';
  created_at: number;
  status: 'completed' | 'incomplete' | 'failed' | 'in_progress';
  model: string;
  output: ResponsesOutputItem[];
  usage: ResponsesUsageWire | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  parallel_tool_calls: boolean;
  tool_choice: ResponsesToolChoice;
  tools: unknown[];
  temperature: number | null;
  top_p: number | null;
  text: { format: ResponsesTextFormat };
  reasoning: { effort: string | null; summary: string | null };
  metadata: Record<string, string>;
  store: boolean;
}
