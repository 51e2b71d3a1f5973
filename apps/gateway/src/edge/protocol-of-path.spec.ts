import type { FastifyRequest } from 'fastify';
import { protocolOfPath, protocolOfRequest } from './protocol-of-path';

const req = (method: string, url: string, headers: Record<string, string> = {}, query: Record<string, string> = {}) =>
  ({ method, url, headers, query }) as unknown as FastifyRequest;

describe('the inbound protocol an error is rendered in', () => {
  it('by path', () => {
    expect(protocolOfPath('/v1/chat/completions')).toBe('openai-chat');
    expect(protocolOfPath('/v1/messages/count_tokens')).toBe('anthropic');
    expect(protocolOfPath('/v1beta/models/x:generateContent?alt=sse')).toBe('gemini');
    expect(protocolOfPath('/v1/models/gemini-2.5-flash:countTokens')).toBe('gemini');
    expect(protocolOfPath('/api/tokens')).toBeNull();
    expect(protocolOfPath('/health/ready')).toBeNull();
  });

  it('GET /v1/models in the shape of the client that asks, even before the route runs', () => {
    expect(protocolOfRequest(req('GET', '/v1/models'))).toBe('openai-chat');
    expect(protocolOfRequest(req('GET', '/v1/models', { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }))).toBe('anthropic');
    expect(protocolOfRequest(req('GET', '/v1/models', { 'anthropic-version': '2023-06-01' }))).toBe('anthropic');
    expect(protocolOfRequest(req('GET', '/v1/models?key=k', {}, { key: 'k' }))).toBe('gemini');
    expect(protocolOfRequest(req('GET', '/v1/models', { 'x-goog-api-key': 'k' }))).toBe('gemini');
  });

  it('GET /v1/models/{id} too (a key refused before the route is in the caller shape)', () => {
    expect(protocolOfRequest(req('GET', '/v1/models/gpt-4o'))).toBe('openai-chat');
    expect(protocolOfRequest(req('GET', '/v1/models/claude-x', { 'x-api-key': 'k' }))).toBe('anthropic');
    expect(protocolOfRequest(req('GET', '/v1/models/gemini-2.5-flash', { 'x-goog-api-key': 'k' }))).toBe('gemini');
    expect(protocolOfRequest(req('GET', '/v1/modelsx', { 'x-api-key': 'k' }))).toBe('openai-chat');
  });

  it('every POST under /v1/models/ is a Gemini call, also with a slash in the model', () => {
    expect(protocolOfRequest(req('POST', '/v1/models/models/a/b:generateContent'))).toBe('gemini');
    expect(protocolOfPath('/v1/models/models/a/b:generateContent')).toBe('openai-chat'); // what the path alone said
  });
});
