import { Injectable } from '@nestjs/common';
import { hashApiKey } from '@switchboard/common';
import { estimatePromptTokens, renderError, type WireProtocol } from '@switchboard/protocols';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TokenCache } from '../state/token-cache.service';
import { readApiKey, type RawJsonBody } from './inbound';
import { newRequestId } from './request-id';

/**
 * `POST /v1/messages/count_tokens` and Gemini `:countTokens`, answered at the edge with the tokenizer: no upstream
 * call, no quota, but the same key check as any relay request.
 */
@Injectable()
export class TokenCountService {
  constructor(private readonly tokens: TokenCache) {}

  async count(protocol: Extract<WireProtocol, 'anthropic' | 'gemini'>, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const requestId = newRequestId();
    reply.header('x-request-id', requestId);
    const fail = (status: number, message: string, code?: string) => {
      const out = renderError(protocol, { status, message, code }, requestId);
      return reply.status(out.status).headers(out.headers).send(out.body);
    };
    const key = readApiKey(req);
    const token = key ? await this.tokens.get(hashApiKey(key)) : null;
    if (!token || token.status !== 'active') return void fail(401, 'Incorrect API key provided.', 'invalid_api_key');
    const body = req.body as RawJsonBody | undefined;
    if (!body?.json || typeof body.json !== 'object' || Array.isArray(body.json)) return void fail(400, body?.parseError ?? 'The request body must be a JSON object.');
    const json = body.json as Record<string, unknown>;
    // Gemini's countTokens wraps the request as { generateContentRequest } or sends { contents } directly.
    const inner = protocol === 'gemini' && json.generateContentRequest && typeof json.generateContentRequest === 'object' ? (json.generateContentRequest as Record<string, unknown>) : json;
    const n = estimatePromptTokens(protocol, inner);
    return void reply.send(protocol === 'anthropic' ? { input_tokens: n } : { totalTokens: n });
  }
}
