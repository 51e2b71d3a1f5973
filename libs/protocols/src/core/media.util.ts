import type { IrCacheControl, IrMediaSource } from './ir.types';

/** Seed rule: audio/file parts get their extension from the media type. */
const EXTENSIONS: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/flac': 'flac',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

export function fileExtensionForMediaType(mediaType: string | undefined): string {
  if (!mediaType) return 'bin';
  return EXTENSIONS[mediaType.toLowerCase().split(';')[0].trim()] ?? 'bin';
}

const EXT_TO_MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  mp4: 'video/mp4',
};

export function mediaTypeFromName(nameOrUrl: string | undefined): string | undefined {
  if (!nameOrUrl) return undefined;
  const m = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(nameOrUrl);
  return m ? EXT_TO_MIME[m[1].toLowerCase()] : undefined;
}

/** OpenAI `input_audio.format` from a media type (`wav` | `mp3`, others by extension). */
export function audioFormatForMediaType(mediaType: string): string {
  const ext = fileExtensionForMediaType(mediaType);
  return ext !== 'bin' ? ext : (mediaType.split('/')[1] ?? 'wav');
}

export function mediaTypeForAudioFormat(format: string | undefined): string {
  switch ((format ?? 'wav').toLowerCase()) {
    case 'mp3':
    case 'mpeg':
      return 'audio/mpeg';
    case 'flac':
      return 'audio/flac';
    case 'wav':
      return 'audio/wav';
    default:
      return `audio/${format}`;
  }
}

/** `data:<mime>;base64,<payload>` → parts; split once on `;base64,` (§9.4). */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith('data:')) return undefined;
  const idx = url.indexOf(';base64,');
  if (idx < 0) return undefined;
  const header = url.slice(5, idx);
  const mediaType = header.split(';')[0] || 'application/octet-stream';
  return { mediaType, data: url.slice(idx + 8) };
}

export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

/** URL or data URL or bare base64 → a media source. */
export function sourceFromUrlish(value: string, fallbackMediaType: string): IrMediaSource {
  const parsed = parseDataUrl(value);
  if (parsed) return { kind: 'base64', mediaType: parsed.mediaType, data: parsed.data };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const mediaType = mediaTypeFromName(value);
    return mediaType ? { kind: 'url', url: value, mediaType } : { kind: 'url', url: value };
  }
  return { kind: 'base64', mediaType: fallbackMediaType, data: value };
}

export function sourceToUrl(source: IrMediaSource): string | undefined {
  if (source.kind === 'url') return source.url;
  if (source.kind === 'base64') return toDataUrl(source.mediaType, source.data);
  return undefined;
}

export function sourceMediaType(source: IrMediaSource): string | undefined {
  return source.mediaType;
}

const CACHE_MARKER = '<cache>';

/**
 * Seed rule: a `<cache>` marker in message text is removed; the block it was in becomes a cache
 * breakpoint (`cache_control: {type: "ephemeral"}`), which only the Anthropic encoder emits.
 */
export function stripCacheMarker(text: string): { text: string; cacheControl?: IrCacheControl } {
  if (!text.includes(CACHE_MARKER)) return { text };
  return { text: text.split(CACHE_MARKER).join(''), cacheControl: { type: 'ephemeral' } };
}

export function hasCacheMarker(text: string): boolean {
  return text.includes(CACHE_MARKER);
}
