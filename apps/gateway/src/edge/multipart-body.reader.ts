import { once } from 'node:events';
import { createWriteStream, openAsBlob, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '@switchboard/contracts';
import type { UploadedFile } from '@switchboard/providers';
import busboy from 'busboy';
import type { FastifyRequest } from 'fastify';

/** A form upload as the relay uses it: text fields as a body (repeated `x[]` fields as arrays) and the files. */
export interface MultipartBody {
  fields: Record<string, string | string[]>;
  files: UploadedFile[];
  /** Removes the files spooled to disk; called once the request is over (every attempt done). */
  dispose(): Promise<void>;
}

export interface UploadRules {
  /** the whole form, files included (MAX_UPLOAD_BYTES): 413 past it */
  maxBytes: number;
  /** a file larger than this is spooled to a temporary file instead of held in memory */
  memoryBytes: number;
  /** where spooled files go (default: the system's temporary directory) */
  spoolDir?: string;
}

/** Text fields are short (a prompt, a language); a longer one is a mistake, not a file. */
const MAX_FIELD_BYTES = 1024 * 1024;
const MAX_FIELDS = 100;
/** Image edits take up to 16 images plus a mask. */
const MAX_FILES = 20;
/** The leading bytes of each file kept for accounting (an audio header tells its duration), even when spooled. */
const HEAD_BYTES = 64 * 1024;

const tooLarge = (max: number) => new DomainError('request_too_large', 413, `The upload is larger than MAX_UPLOAD_BYTES (${max} bytes).`);
const invalid = (message: string) => new DomainError('invalid_request', 400, message);

/**
 * Reads a multipart/form-data upload with busboy: fields into memory, each file into memory up to `memoryBytes` and
 * past that into a temporary file, so a 25 MB audio upload costs a file, not 25 MB of heap per request. Failover
 * replays the upload from there. The whole form is bounded by `maxBytes` (declared length first, then as it arrives).
 */
export function readMultipartBody(req: FastifyRequest, rules: UploadRules): Promise<MultipartBody> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    return Promise.reject(invalid('This endpoint takes a multipart/form-data upload (with its boundary).'));
  }
  const declared = Number(req.headers['content-length']);
  if (declared > rules.maxBytes) return Promise.reject(tooLarge(rules.maxBytes));
  return new Promise<MultipartBody>((resolve, reject) => {
    const fields: Record<string, string | string[]> = {};
    const files: UploadedFile[] = [];
    const writes: Promise<void>[] = [];
    let dir: Promise<string> | null = null;
    let received = 0;
    let failed = false;
    const dispose = async () => {
      if (dir) await rm(await dir, { recursive: true, force: true }).catch(() => undefined);
    };
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      req.raw.unpipe(bb);
      // The rest of the upload is read and dropped, so the client can read the answer (EdgeErrorFilter answers).
      req.raw.resume();
      void dispose();
      reject(e);
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fieldSize: MAX_FIELD_BYTES, fields: MAX_FIELDS, files: MAX_FILES, fileSize: rules.maxBytes, parts: MAX_FIELDS + MAX_FILES },
        defParamCharset: 'utf8',
      });
    } catch (e) {
      reject(invalid(`The multipart form cannot be read: ${(e as Error).message}`));
      return;
    }
    // A client that leaves mid-upload: nothing more will come; the spool goes now, not never.
    const clientLeft = () => !req.raw.complete && (req.raw.destroyed || req.raw.socket?.destroyed === true);
    const closed = () => new DomainError('client_closed', 499, 'The client closed the connection during the upload.');
    req.raw.on('close', () => {
      if (!req.raw.complete) fail(closed());
    });
    req.raw.on('error', () => fail(closed()));
    req.raw.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > rules.maxBytes) fail(tooLarge(rules.maxBytes));
    });
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(invalid(`The form field '${name}' is longer than ${MAX_FIELD_BYTES} bytes.`));
      if (name.endsWith('[]')) {
        const key = name.slice(0, -2);
        const prev = fields[key];
        fields[key] = Array.isArray(prev) ? [...prev, value] : prev === undefined ? [value] : [prev, value];
      } else {
        fields[name] = value;
      }
    });
    bb.on('file', (field, stream, info) => {
      const file: UploadedFile = { field, filename: info.filename ?? 'file', contentType: info.mimeType || 'application/octet-stream', bytes: 0 };
      const index = files.push(file) - 1;
      const chunks: Buffer[] = [];
      let sink: WriteStream | null = null;
      let spooling = false;
      // Writes to the spool in order, the file stream paused while one is pending (backpressure from the disk).
      let chain: Promise<void> = Promise.resolve();
      const spool = async (chunk: Buffer) => {
        if (!sink) {
          const d = await (dir ??= mkdtemp(join(rules.spoolDir ?? tmpdir(), 'switchboard-upload-')));
          file.path = join(d, String(index));
          sink = createWriteStream(file.path);
          for (const c of chunks.splice(0)) if (!sink.write(c)) await once(sink, 'drain');
        }
        if (!sink.write(chunk)) await once(sink, 'drain');
      };
      stream.on('data', (chunk: Buffer) => {
        file.bytes += chunk.length;
        if (!spooling && file.bytes <= rules.memoryBytes) {
          chunks.push(chunk);
          return;
        }
        if (!spooling) file.head = Buffer.concat([...chunks, chunk], Math.min(HEAD_BYTES, file.bytes));
        spooling = true;
        // Past the memory share: everything so far and the rest go to a temporary file.
        stream.pause();
        chain = chain.then(() => spool(chunk)).then(() => void stream.resume());
      });
      const written = new Promise<void>((done, error) => {
        stream.on('limit', () => fail(tooLarge(rules.maxBytes)));
        stream.on('error', error);
        stream.on('end', () => {
          chain
            .then(async () => {
              if (sink) await new Promise<void>((r) => sink!.end(r));
              else {
                file.data = Buffer.concat(chunks);
                file.head = file.data.subarray(0, HEAD_BYTES);
              }
            })
            .then(done, error);
        });
      });
      writes.push(written);
    });
    bb.on('filesLimit', () => fail(invalid(`The form has more than ${MAX_FILES} files.`)));
    bb.on('fieldsLimit', () => fail(invalid(`The form has more than ${MAX_FIELDS} fields.`)));
    bb.on('error', (e: Error) => fail(clientLeft() ? closed() : invalid(`The multipart form cannot be read: ${e.message}`)));
    bb.on('close', () => {
      if (failed) return;
      Promise.all(writes)
        .then(() =>
          Promise.all(
            files.map(
              async (f) => (f.blob = f.path ? await openAsBlob(f.path, { type: f.contentType }) : new Blob([new Uint8Array(f.data!)], { type: f.contentType })),
            ),
          ),
        )
        .then(
          () => (failed ? undefined : resolve({ fields, files, dispose })),
          (e: Error) => fail(e),
        );
    });
    req.raw.pipe(bb);
  });
}
