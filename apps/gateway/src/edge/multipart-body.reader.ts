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
    const sinks: WriteStream[] = [];
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
      for (const s of sinks) s.destroy();
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
    req.raw.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > rules.maxBytes) fail(tooLarge(rules.maxBytes));
    });
    // A client gone mid-upload ends nothing that is piped (busboy would wait forever): fail, which removes the spool.
    req.raw.on('close', () => {
      if (!req.raw.complete) fail(new DomainError('client_closed', 499, 'The client closed the connection during the upload.'));
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
      files.push(file);
      const chunks: Buffer[] = [];
      let sink: WriteStream | null = null;
      const written = new Promise<void>((done, error) => {
        stream.on('data', (chunk: Buffer) => {
          file.bytes += chunk.length;
          if (sink) {
            if (!sink.write(chunk)) stream.pause();
            return;
          }
          chunks.push(chunk);
          if (file.bytes > rules.memoryBytes) {
            // Past the memory share: everything so far and the rest go to a temporary file.
            stream.pause();
            file.head = Buffer.concat(chunks, Math.min(HEAD_BYTES, file.bytes));
            // After a failure the spool is already being removed: no new directory or file behind its back.
            if (failed) return done();
            dir ??= mkdtemp(join(tmpdir(), 'switchboard-upload-'));
            void dir.then((d) => {
              if (failed) return done();
              file.path = join(d, String(files.indexOf(file)));
              sink = createWriteStream(file.path);
              sinks.push(sink);
              sink.on('drain', () => stream.resume());
              sink.on('error', error);
              for (const c of chunks.splice(0)) sink.write(c);
              stream.resume();
            }, error);
          }
        });
        stream.on('limit', () => fail(tooLarge(rules.maxBytes)));
        stream.on('error', error);
        stream.on('end', () => {
          if (!sink) {
            file.data = Buffer.concat(chunks);
            file.head = file.data.subarray(0, HEAD_BYTES);
            return done();
          }
          sink.end(() => done());
        });
      });
      // After a failure nothing awaits the writes (their sinks are destroyed): a late write error is not unhandled.
      written.catch(() => undefined);
      writes.push(written);
    });
    bb.on('filesLimit', () => fail(invalid(`The form has more than ${MAX_FILES} files.`)));
    bb.on('fieldsLimit', () => fail(invalid(`The form has more than ${MAX_FIELDS} fields.`)));
    bb.on('error', (e: Error) => fail(invalid(`The multipart form cannot be read: ${e.message}`)));
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
