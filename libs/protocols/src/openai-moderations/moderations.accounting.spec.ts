import { countTextTokens } from '../accounting/token-count.util';
import { IMAGE_TOKEN_ESTIMATE } from '../accounting/prompt-tokens.estimator';
import { protocolDescriptor } from '../registry/protocol.registry';

const d = protocolDescriptor('openai-moderations');
const req = (body: Record<string, unknown>) => ({ operation: 'moderate' as const, body });

describe('moderations: validation', () => {
  it.each([
    ['absent', {}, /Missing required parameter: 'input'/],
    ['null', { input: null }, /Missing required parameter: 'input'/],
    ['a number', { input: 3 }, /Invalid type for 'input'/],
    ['an object', { input: { text: 'x' } }, /Invalid type for 'input'/],
    ['a mixed array', { input: ['x', { type: 'text', text: 'y' }] }, /Invalid type for 'input'/],
    ['unknown parts', { input: [{ type: 'audio' }] }, /Invalid type for 'input'/],
  ])('input %s: 400 naming it', (_what, body, message) => {
    let caught: unknown;
    try {
      d.validate!({ operation: 'moderate', body: { model: 'm', ...body } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ status: 400, param: 'input', message: expect.stringMatching(message) });
  });

  it("a string, strings or multimodal parts pass; an absent model is OpenAI's default", () => {
    const body: Record<string, unknown> = { input: 'hello' };
    d.validate!({ operation: 'moderate', body });
    expect(body.model).toBe('omni-moderation-latest');
    const named = { model: 'text-moderation-stable', input: ['a', 'b'] };
    d.validate!({ operation: 'moderate', body: named });
    expect(named.model).toBe('text-moderation-stable');
    expect(() =>
      d.validate!({
        operation: 'moderate',
        body: {
          input: [
            { type: 'text', text: 'x' },
            { type: 'image_url', image_url: { url: 'https://x/y.png' } },
          ],
        },
      }),
    ).not.toThrow();
  });
});

describe('moderations: accounting', () => {
  const text = 'I want to hurt them. How do I get a gun?';
  it('reserves the input tokens (every string, text parts, images at the chat figure), no output, no units', () => {
    expect(d.accounting!.estimate(req({ input: text }))).toEqual({ promptTokens: countTextTokens(text), outputTokens: 0, units: null });
    expect(d.accounting!.estimate(req({ input: [text, text] })).promptTokens).toBe(2 * countTextTokens(text));
    const parts = [
      { type: 'text', text },
      { type: 'image_url', image_url: { url: 'https://x/y.png' } },
    ];
    expect(d.accounting!.estimate(req({ input: parts })).promptTokens).toBe(countTextTokens(text) + IMAGE_TOKEN_ESTIMATE);
    expect(d.accounting!.estimate(req({ input: 42 })).promptTokens).toBe(0);
  });

  it("OpenAI's answer reports no tokens: the input is counted; a reported usage wins", () => {
    const answer = { id: 'modr-1', model: 'omni-moderation-latest', results: [{ flagged: true }] };
    expect(d.accounting!.measure(answer, req({ input: text }))).toEqual({
      usage: { promptTokens: countTextTokens(text), completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      units: null,
    });
    const reported = d.accounting!.measure({ ...answer, usage: { prompt_tokens: 9, total_tokens: 9 } }, req({ input: text }));
    expect(reported.usage?.promptTokens).toBe(9);
  });
});
