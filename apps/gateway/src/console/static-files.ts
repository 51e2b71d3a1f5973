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

  async read(subPath: string): Promise<StaticFile | null> {
    let rel: string;
    try {
      rel = decodeURIComponent(subPath.split('?')[0] ?? '');
    } catch {
      return null;
    }
    if (!rel || rel.includes('\0') || rel.split(/[\\/]/).some((seg) => seg.startsWith('.'))) return null;
    const file = path.resolve(this.root, rel);
    if (!file.startsWith(this.root + path.sep)) return null;
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) return null;
      return { body: await fs.readFile(file), contentType: contentTypeOf(file) };
    } catch {
      return null;
    }
  }
}
