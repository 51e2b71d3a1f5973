import { Injectable } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { estimatePromptTokens, protocolDescriptor, type WireProtocol } from '@switchboard/protocols';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeyAuthenticator } from '../auth/key-authenticator';
import { sendDomainError } from '../edge/error-response';
import type { RawJsonBody } from './inbound';
import { RelayErrors } from './relay.errors';
import { newRequestId } from './request-id';

/**
 * `POST /v1/messages/count_tokens` and Gemini `:countTokens`, answered at the edge with the tokenizer: no upstream
 * call, no quota, but the same key check as any relay request (and one request against the key's RPM).
 */
@Injectable()
export class TokenCountService {
  constructor(private readonly auth: KeyAuthenticator) {}

  /** `protocol` must count tokens (its descriptor's `countTokens`). */
  async count(protocol: WireProtocol, req: FastifyRequest, reply: FastifyReply, body: RawJsonBody | undefined, pathModel?: string): Promise<void> {
    const requestId = newRequestId();
    reply.header('x-request-id', requestId);
    const fail = (e: DomainError) => sendDomainError(reply, protocol, requestId, e);
    const json = body?.json && typeof body.json === 'object' && !Array.isArray(body.json) ? (body.json as Record<string, unknown>) : undefined;
    // Anthropic names the model in the body, Gemini in the path: either way the key's allow-list applies.
    const model = pathModel ?? (typeof json?.model === 'string' ? json.model : undefined);
    try {
      await this.auth.authenticate(req, { model, countRequest: true });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return fail(e);
    }
    if (!json) return fail(RelayErrors.malformed(body?.parseError ?? 'The request body must be a JSON object.'));
    const shape = protocolDescriptor(protocol).countTokens!;
    const n = estimatePromptTokens(protocol, shape.input(json));
    // 200 as the vendors answer (a Nest POST route would default to 201).
    return void reply.status(200).send(shape.answer(n));
  }
}
