import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSigV4Authorization, sigV4Signature } from './aws-sigv4.verifier';
import { BEDROCK_ERRORS, extraneousKey, type BedrockErrorReply } from './bedrock-errors';
import { anthropicMessage, anthropicStreamFrames, anthropicTurn, converseResponse, converseStreamFrames, converseTurn } from './bedrock-replies';
import { exceptionFrame } from './event-stream.writer';

export interface FakeBedrockCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface FakeBedrockOptions {
  /** the region requests must be signed for; default us-east-1 */
  region?: string;
  /** IAM credentials it knows (SigV4) */
  credentials?: FakeBedrockCredential[];
  /** Bedrock API keys it knows (Bearer) */
  apiKeys?: string[];
}

export type FakeBedrockAction = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';

export interface FakeBedrockRequest {
  action: FakeBedrockAction;
  /** the model id as the path named it, decoded */
  modelId: string;
  /** the path as it arrived */
  rawPath: string;
  auth: 'sigv4' | 'bearer';
  /** the access key id or API key that signed it */
  key: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** What the next matching request gets instead of an answer. */
export type FakeBedrockFault =
  | { error: BedrockErrorReply; model?: string }
  /** a stream that sends `afterFrames` frames, then this exception frame */
  | { streamException: string; message: string; afterFrames: number; model?: string };

export interface FakeBedrock {
  url: string;
  requests: FakeBedrockRequest[];
  /** answered in order, each to the next request (of `model` when given) */
  fail(fault: FakeBedrockFault): void;
  reset(): void;
  close(): Promise<void>;
}

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/;
const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/**
 * A Bedrock runtime that checks what the real one checks before answering: SigV4 recomputed from the bytes received
 * (wrong secret, path signed other than sent, wrong region: AWS's 403 bodies), session tokens, Bearer API keys;
 * InvokeModel's Anthropic body rules. It answers Converse / ConverseStream / InvokeModel(+stream) with the service's
 * shapes, streams as binary event-stream frames (real CRCs) cut into small TCP writes at odd offsets.
 */
export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const region = options.region ?? 'us-east-1';
  const requests: FakeBedrockRequest[] = [];
  let faults: FakeBedrockFault[] = [];

  const sendError = (res: ServerResponse, e: BedrockErrorReply) => {
    res.writeHead(e.status, { 'content-type': 'application/json', 'x-amzn-errortype': e.type, 'x-amzn-requestid': 'fake-request-id' });
    res.end(JSON.stringify(e.body));
  };

  const authenticate = (
    req: IncomingMessage,
    rawPath: string,
    rawQuery: string,
    body: Buffer,
  ): { key: string; auth: 'sigv4' | 'bearer' } | BedrockErrorReply => {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Bearer ')) {
      const key = header.slice(7);
      return options.apiKeys?.includes(key) ? { key, auth: 'bearer' } : BEDROCK_ERRORS.invalidApiKey;
    }
    const parsed = parseSigV4Authorization(header);
    if (!parsed) return { status: 403, type: 'IncompleteSignatureException:', body: { message: "Authorization header requires 'Credential' parameter." } };
    const cred = options.credentials?.find((c) => c.accessKeyId === parsed.accessKeyId);
    if (!cred) return BEDROCK_ERRORS.unrecognizedClient;
    const [, scopeRegion, service] = parsed.scope.split('/');
    if (scopeRegion !== region || service !== 'bedrock') return BEDROCK_ERRORS.wrongRegion;
    if (cred.sessionToken && (req.headers['x-amz-security-token'] !== cred.sessionToken || !parsed.signedHeaders.includes('x-amz-security-token'))) {
      return BEDROCK_ERRORS.unrecognizedClient;
    }
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!parsed.signedHeaders.includes('host') || !parsed.signedHeaders.includes('x-amz-date') || !amzDate.startsWith(parsed.scope.slice(0, 8))) {
      return BEDROCK_ERRORS.invalidSignature;
    }
    const expected = sigV4Signature({
      method: req.method ?? 'POST',
      rawPath,
      rawQuery,
      headers: req.headers,
      signedHeaders: parsed.signedHeaders,
      body,
      amzDate,
      scope: parsed.scope,
      secretAccessKey: cred.secretAccessKey,
    });
    return expected === parsed.signature ? { key: cred.accessKeyId, auth: 'sigv4' } : BEDROCK_ERRORS.invalidSignature;
  };

  const takeFault = (modelId: string): FakeBedrockFault | undefined => {
    const at = faults.findIndex((f) => f.model === undefined || f.model === modelId);
    return at < 0 ? undefined : faults.splice(at, 1)[0];
  };

  /** Frames written in pieces of 1–29 bytes, a pause between each: the reader must reassemble frames across reads. */
  const writeSplit = async (res: ServerResponse, frames: Buffer[]) => {
    const all = Buffer.concat(frames);
    let at = 0;
    let n = 7;
    while (at < all.length) {
      n = (n * 31 + 11) % 29;
      const piece = all.subarray(at, at + n + 1);
      at += piece.length;
      if (!res.write(piece)) await new Promise((r) => res.once('drain', r));
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = req.url ?? '/';
        const q = raw.indexOf('?');
        const rawPath = q < 0 ? raw : raw.slice(0, q);
        const rawQuery = q < 0 ? '' : raw.slice(q + 1);
        const match = PATH.exec(rawPath);
        if (req.method !== 'POST' || !match) {
          res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException:' });
          res.end('{"message":"Unknown operation"}');
          return;
        }
        const bodyBytes = Buffer.concat(chunks);
        const who = authenticate(req, rawPath, rawQuery, bodyBytes);
        if ('status' in who) return sendError(res, who);
        const modelId = decodeURIComponent(match[1]);
        const action = match[2] as FakeBedrockAction;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(bodyBytes.toString('utf8')) as Record<string, unknown>;
        } catch {
          return sendError(res, { status: 400, type: 'SerializationException:', body: { message: 'Unable to parse request body' } });
        }
        requests.push({ action, modelId, rawPath, auth: who.auth, key: who.key, headers: req.headers, body });
        const fault = takeFault(modelId);
        if (fault && 'error' in fault) return sendError(res, fault.error);
        const stream = action === 'converse-stream' || action === 'invoke-with-response-stream';
        let frames: Buffer[];
        if (action === 'invoke' || action === 'invoke-with-response-stream') {
          for (const key of ['model', 'stream']) if (key in body) return sendError(res, extraneousKey(key));
          if (body['anthropic_version'] !== 'bedrock-2023-05-31') {
            return sendError(res, {
              ...BEDROCK_ERRORS.validation,
              body: { message: 'Malformed input request: #: required key [anthropic_version] not found' },
            });
          }
          const turn = anthropicTurn(body);
          if (!stream) {
            res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-bedrock-input-token-count': '12', 'x-amzn-bedrock-output-token-count': '9' });
            res.end(JSON.stringify(anthropicMessage(turn, modelId)));
            return;
          }
          frames = anthropicStreamFrames(turn, modelId);
        } else {
          if (!Array.isArray(body['messages'])) return sendError(res, { ...BEDROCK_ERRORS.validation, body: { message: 'messages: required' } });
          const turn = converseTurn(body);
          if (!stream) {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(converseResponse(turn)));
            return;
          }
          frames = converseStreamFrames(turn);
        }
        if (fault && 'streamException' in fault) frames = [...frames.slice(0, fault.afterFrames), exceptionFrame(fault.streamException, fault.message)];
        res.writeHead(200, { 'content-type': EVENT_STREAM, 'x-amzn-bedrock-content-type': 'application/json' });
        res.socket?.setNoDelay(true);
        await writeSplit(res, frames);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (fault) => void faults.push(fault),
    reset: () => {
      requests.length = 0;
      faults = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
