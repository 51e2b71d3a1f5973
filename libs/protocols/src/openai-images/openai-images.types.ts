/** OpenAI Images wire shapes (openai-node `resources/images.ts`) and the Gemini image answers converted to them. */

export interface OpenAiImageDatum {
  b64_json?: string;
  url?: string;
  revised_prompt?: string;
}

export interface OpenAiImagesUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_tokens_details?: { text_tokens: number; image_tokens: number };
  output_tokens_details?: { text_tokens: number; image_tokens: number };
}

export interface OpenAiImagesResponse {
  created: number;
  data: OpenAiImageDatum[];
  output_format?: string;
  usage?: OpenAiImagesUsage;
}

/** Imagen `:predict` (reference §6.1). */
export interface ImagenPredictRequest {
  instances: { prompt: string }[];
  parameters: {
    sampleCount: number;
    aspectRatio?: string;
    outputOptions?: { mimeType: string; compressionQuality?: number };
  };
}

/** Gemini native image output through `:generateContent` (reference §6.2). */
export interface GeminiImageRequest {
  contents: { role: 'user'; parts: { text: string }[] }[];
  generationConfig: {
    responseModalities: ['TEXT', 'IMAGE'];
    candidateCount?: number;
    imageConfig?: { aspectRatio: string };
  };
}
