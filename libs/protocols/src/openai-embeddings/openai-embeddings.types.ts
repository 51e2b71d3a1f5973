/** OpenAI Embeddings and Gemini embedContent / batchEmbedContents wire types (§4.1, §6.1). */
export interface OpenAiEmbeddingsRequest {
  model: string;
  input: string | string[];
  encoding_format: 'float' | 'base64';
  dimensions?: number;
}

export interface OpenAiEmbeddingsResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface GeminiEmbedContentRequest {
  model: string;
  content: { parts: { text: string }[] };
  taskType?: string;
  title?: string;
  outputDimensionality?: number;
}

export interface GeminiBatchEmbedRequest {
  requests: GeminiEmbedContentRequest[];
}

export interface GeminiEmbedContentResponse {
  embedding: { values: number[] };
}

export interface GeminiBatchEmbedResponse {
  embeddings: { values: number[] }[];
}
