import { PROMPT_TEXTS, PromptTextCache, promptTextTokens } from './prompt-text.cache';
import { estimatePromptTokens } from './prompt-tokens.estimator';
import { countTextTokens } from './token-count.util';

/** A counter that says how often it was asked. */
function counting() {
  const asked: string[] = [];
  return { asked, count: (t: string) => (asked.push(t), t.length) };
}

const text = (seed: string, chars: number) => seed.repeat(Math.ceil(chars / seed.length)).slice(0, chars);

describe('PromptTextCache', () => {
  it('counts a long text once, whichever string object carries it', () => {
    const c = counting();
    const cache = new PromptTextCache(c.count);
    const system = text('You are a coding agent. ', 4_000);
    expect(cache.tokens(system)).toBe(4_000);
    expect(cache.tokens(['You are a coding agent. '.repeat(167)].join('').slice(0, 4_000))).toBe(4_000);
    expect(c.asked).toHaveLength(1);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
  });

  it('counts short texts every time (they are cheap; caching them would churn)', () => {
    const c = counting();
    const cache = new PromptTextCache(c.count);
    cache.tokens('hello');
    cache.tokens('hello');
    expect(c.asked).toEqual(['hello', 'hello']);
    expect(cache.size).toEqual({ texts: 0, chars: 0 });
  });

  it('holds at most its characters, dropping the least recently used text first', () => {
    const c = counting();
    const cache = new PromptTextCache(c.count, 2_000);
    const [a, b, cc, d] = ['a', 'b', 'c', 'd'].map((s) => text(s, 600));
    for (const t of [a, b, cc]) cache.tokens(t);
    cache.tokens(a); // a is now the most recent: b is the oldest
    cache.tokens(d);
    expect(cache.size).toEqual({ texts: 3, chars: 1_800 });
    c.asked.length = 0;
    cache.tokens(a);
    cache.tokens(cc);
    cache.tokens(d);
    expect(c.asked).toEqual([]);
    cache.tokens(b);
    expect(c.asked).toEqual([b]);
    expect(cache.tokens(text('e', 2_001))).toBe(2_001); // larger than the whole cache: counted, not kept
    expect(cache.size.chars).toBeLessThanOrEqual(2_000);
  });

  it('answers what the tokenizer answers, lone surrogates included', () => {
    const odd = text('déjà vu 🤖 \uD800 tab\tnew\nline ', 3_000);
    expect(promptTextTokens(odd)).toBe(countTextTokens(odd));
    expect(promptTextTokens(odd)).toBe(countTextTokens(odd));
  });

  it("lets an agent's next turn count only what is new", () => {
    const tools = Array.from({ length: 12 }, (_, i) => ({
      type: 'function',
      function: { name: `tool_${i}`, description: text(`Tool ${i} reads and edits files in the workspace. `, 1_500), parameters: { type: 'object' } },
    }));
    const turn = (n: number) => ({
      model: 'gpt-4o',
      tools,
      messages: [
        { role: 'system', content: text('You are a careful coding agent working in a repository. ', 20_000) },
        ...Array.from({ length: n }, (_, i) => [
          { role: 'user', content: text(`Step ${i}: fix the failing test in module ${i}. `, 800) },
          { role: 'assistant', content: text(`I changed module ${i} so the test passes. `, 1_200) },
        ]).flat(),
      ],
    });
    estimatePromptTokens('openai-chat', turn(3));
    const [hits, misses] = [PROMPT_TEXTS.hits, PROMPT_TEXTS.misses];
    const next = estimatePromptTokens('openai-chat', turn(4));
    // counted now: the new user and assistant messages; found: the system prompt, the tools and the 6 earlier messages
    expect(PROMPT_TEXTS.misses - misses).toBe(2);
    expect(PROMPT_TEXTS.hits - hits).toBe(8);
    expect(estimatePromptTokens('openai-chat', turn(4))).toBe(next);
  });
});
