/** Bedrock Converse wire shapes (bedrock-runtime 2023-09-30): only what the codecs write and read. */
import type { JsonObject } from '../core/json.util';

/** A content block is a union: exactly one of these keys is set. */
export type ConverseContentBlock =
  | { text: string }
  | { image: ConverseImage }
  | { document: ConverseDocument }
  | { toolUse: { toolUseId: string; name: string; input: JsonObject } }
  | { toolResult: { toolUseId: string; content: ConverseToolResultContent[]; status?: 'success' | 'error' } }
  | { reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string } }
  | { cachePoint: ConverseCachePoint };

export type ConverseToolResultContent = { text: string } | { json: JsonObject } | { image: ConverseImage } | { document: ConverseDocument };

export interface ConverseCachePoint {
  type: 'default';
  ttl?: string;
}

/** Blobs are base64 strings on the JSON wire; S3 objects by URI. */
export type ConverseSource = { bytes: string } | { s3Location: { uri: string } };

export interface ConverseImage {
  format: 'png' | 'jpeg' | 'gif' | 'webp';
  source: ConverseSource;
}

export interface ConverseDocument {
  format: string;
  name: string;
  source: ConverseSource;
}

export interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ConverseContentBlock[];
}

export type ConverseTool = { toolSpec: { name: string; description?: string; inputSchema: { json: JsonObject } } } | { cachePoint: ConverseCachePoint };

export type ConverseToolChoice = { auto: JsonObject } | { any: JsonObject } | { tool: { name: string } };

export interface ConverseRequest {
  messages: ConverseMessage[];
  system?: ({ text: string } | { cachePoint: ConverseCachePoint })[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ConverseTool[]; toolChoice?: ConverseToolChoice };
  additionalModelRequestFields?: JsonObject;
  outputConfig?: JsonObject;
  serviceTier?: { type: string };
}
