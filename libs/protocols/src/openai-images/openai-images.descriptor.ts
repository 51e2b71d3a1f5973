import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { IMAGES_ACCOUNTING, validateImagesRequest } from './images.accounting';
import { geminiToOpenAiImagesResponse, openAiImagesToGeminiRequest } from './images-gemini.converter';
import { imagesStreamDecoder } from './images-stream.decoder';

/** OpenAI Images: generations (JSON), edits and variations (multipart uploads); billed per image or by tokens. */
export const OPENAI_IMAGES: ProtocolDescriptor = {
  name: 'openai-images',
  modelIn: 'body',
  declarable: true,
  bodyRoutes: [
    { path: '/v1/images/generations', operation: 'image.generate', endpoint: 'images.generations' },
    { path: '/v1/images/edits', operation: 'image.edit', endpoint: 'images.edits', body: 'multipart' },
    { path: '/v1/images/variations', operation: 'image.variation', endpoint: 'images.variations', body: 'multipart' },
  ],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/images/'),
  // a form sends every field as text
  streams: (body) => body.stream === true || body.stream === 'true',
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
  validate: validateImagesRequest,
  accounting: IMAGES_ACCOUNTING,
  streamDecoder: imagesStreamDecoder,
  conversions: {
    gemini: { request: openAiImagesToGeminiRequest, response: geminiToOpenAiImagesResponse },
  },
};
