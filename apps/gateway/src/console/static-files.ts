import { promises as fs } from 'node:fs';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export const contentTypeOf = (file: string): string => CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

export interface StaticFile {
  body: Buffer;
  contentType: string;
  /** `br` or `gzip` when the body is a copy the build compressed ahead (`<file>.br`, `<file>.gz`) */
  encoding?: 'br' | 'gzip';
}

/** Precompressed copies the build writes beside text assets, best first. */
const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;

/** Whether an Accept-Encoding header allows a coding (`br;q=0` refuses it). */
export function accepts(acceptEncoding: string | undefined, coding: string): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return (name.trim().toLowerCase() === coding || name.trim() === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * Files of one directory, addressed by a URL sub-path. Anything that would leave the directory (`..`, an absolute or
 * encoded path), a dotfile or a directory reads as absent, so the caller answers its ordinary 404.
 */
export class StaticFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /**
   * The file, or the precompressed copy of it the client accepts (`<file>.br`, then `<file>.gz`) with the original's
   * content type: the console's assets go out a third of their size without compressing on each request.
   */
  async read(subPath: string, acceptEncoding?: string): Promise<StaticFile | null> {
    const file = this.resolve(subPath);
    if (!file) return null;
    for (const [encoding, suffix] of ENCODINGS) {
      if (!accepts(acceptEncoding, encoding)) continue;
      const body = await readFileIfAny(file + suffix);
      if (body) return { body, contentType: contentTypeOf(file), encoding };
    }
    const body = await readFileIfAny(file);
    return body ? { body, contentType: contentTypeOf(file) } : null;
  }

  private resolve(subPath: string): string | null {
    let rel: string;
    try {
      rel = decodeURIComponent(subPath.split('?')[0] ?? '');
    } catch {
      return null;
    }
    if (!rel || rel.includes('\0') || rel.split(/[\\/]/).some((seg) => seg.startsWith('.'))) return null;
    const file = path.resolve(this.root, rel);
    return file.startsWith(this.root + path.sep) ? file : null;
  }
}

async function readFileIfAny(file: string): Promise<Buffer | null> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? await fs.readFile(file) : null;
  } catch {
    return null;
  }
}
