import type { IncomingHttpHeaders } from 'node:http';
import type { MockReply, RequestContext } from '../mock-reply.types';
import type { MockVendor } from '../mock-upstream.types';

/** A file of a multipart upload as the mock received it. */
export interface MockUploadedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** What a family responder sees: the request, its JSON body or its form's text fields, and the form's files. */
export interface FamilyContext extends RequestContext {
  files: MockUploadedFile[];
  /** The request's bytes as received (a form's boundary and binary parts included). */
  rawBytes: Buffer;
}

/** An endpoint beyond chat the mock serves: which vendor's errors and auth it uses, and how it answers. */
export interface FamilyRoute {
  vendor: MockVendor;
  /** Whether this route answers the request, where several vendors share its path (absent: it answers every one). */
  accepts?: (headers: IncomingHttpHeaders) => boolean;
  /** The request asks for a stream (its answer is SSE). */
  streams?: (body: Record<string, unknown>) => boolean;
  respond(ctx: FamilyContext): MockReply | Promise<MockReply>;
}
