import type { ProtocolDescriptor } from '../registry/protocol.descriptor';
import { OPENAI_AUDIO_ACCOUNTING, validateAudioRequest } from './openai-audio.accounting';
import { OpenAiAudioStreamDecoder } from './openai-audio-stream.decoder';

/** OpenAI Audio: transcriptions and translations (multipart uploads), speech (JSON in, audio bytes or SSE out). */
export const OPENAI_AUDIO: ProtocolDescriptor = {
  name: 'openai-audio',
  modelIn: 'body',
  declarable: true,
  bodyRoutes: [
    { path: '/v1/audio/transcriptions', operation: 'audio.transcribe', endpoint: 'audio.transcriptions', body: 'multipart' },
    { path: '/v1/audio/translations', operation: 'audio.translate', endpoint: 'audio.translations', body: 'multipart' },
    { path: '/v1/audio/speech', operation: 'audio.speech', endpoint: 'audio.speech' },
  ],
  pathRoutes: [],
  actions: {},
  ownsPath: (path) => path.startsWith('/v1/audio/'),
  // A form's fields are text: `stream=true` from a multipart upload, `stream_format: "sse"` for speech.
  streams: (body, operation) => (operation === 'audio.speech' ? body.stream_format === 'sse' : body.stream === true || body.stream === 'true'),
  accounting: OPENAI_AUDIO_ACCOUNTING,
  validate: validateAudioRequest,
  streamDecoder: () => new OpenAiAudioStreamDecoder(),
  streamContentType: 'text/event-stream',
  passthroughHeaders: [],
};
