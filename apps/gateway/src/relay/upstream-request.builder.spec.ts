import type { RuntimeChannel } from '../state/routing-table.service';
import type { InboundCall } from './inbound';
import { buildUpstreamBody, geminiActionFor } from './upstream-request.builder';

const channel = (over: Partial<RuntimeChannel> = {}): RuntimeChannel => ({ id: 1, paramOverride: {}, ...over }) as RuntimeChannel;
const call = (body: Record<string, unknown>, protocol: InboundCall['protocol'] = 'openai-chat'): InboundCall => {
  const raw = Buffer.from(JSON.stringify(body, null, 1));
  return { protocol, operation: 'generate', model: String(body.model ?? 'm'), stream: false, body, raw };
};
const ctx = (upstreamModel: string) => ({ upstreamModel, requestedModel: 'm', stream: false, requestId: 'r' });

describe('buildUpstreamBody', () => {
  const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

  it('forwards the very bytes when nothing must change', () => {
    const c = call(base);
    expect(buildUpstreamBody(c, 'openai-chat', 'm', 'm', channel(), ctx('m'))).toBe(c.raw);
  });

  it('rewrites only the model for a mapping, and deep-merges a param override', () => {
    const out = JSON.parse(
      buildUpstreamBody(
        call(base),
        'openai-chat',
        'vendor-m',
        'm',
        channel({ paramOverride: { temperature: 0.1, metadata: { a: 1 } } }),
        ctx('vendor-m'),
      ) as string,
    );
    expect(out).toEqual({ ...base, model: 'vendor-m', temperature: 0.1, metadata: { a: 1 } });
  });

  it('applies the seed fixes even on pass-through: `tools: []` drops tool_choice', () => {
    const out = JSON.parse(buildUpstreamBody(call({ ...base, tools: [], tool_choice: 'auto' }), 'openai-chat', 'm', 'm', channel(), ctx('m')) as string);
    expect(out).not.toHaveProperty('tool_choice');
  });

  it('converts across protocols', () => {
    const out = JSON.parse(buildUpstreamBody(call(base), 'anthropic', 'claude-x', 'm', channel(), ctx('claude-x')) as string);
    expect(out).toMatchObject({ model: 'claude-x', max_tokens: expect.any(Number), messages: [{ role: 'user' }] });
  });

  it('sends OpenAI embeddings to Gemini batchEmbedContents and keeps a Gemini client’s own action', () => {
    expect(geminiActionFor({ ...call(base, 'openai-embeddings'), operation: 'embed' }, 'gemini')).toBe('batchEmbedContents');
    expect(geminiActionFor({ ...call(base, 'gemini'), geminiAction: 'embedContent' }, 'gemini')).toBe('embedContent');
    expect(geminiActionFor(call(base), 'anthropic')).toBeUndefined();
  });
});
