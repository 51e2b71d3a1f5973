import { awkwardFragments, buildPlan, countWords, DEFAULT_REPLY, thinkTagsReasoning, type NeutralRequest } from './reply-plan.builder';

const req = (text: string, extra: Partial<NeutralRequest> = {}): NeutralRequest => ({
  model: 'm',
  system: [],
  messages: [{ role: 'user', texts: text ? [text] : [], toolCalls: [], toolResults: [] }],
  toolsOffered: false,
  thinking: 'off',
  ...extra,
});

describe('buildPlan', () => {
  it('echoes the last user text, or a fixed sentence', () => {
    expect(buildPlan(req('hi you'), {}).text).toBe('Echo: hi you');
    expect(buildPlan(req(''), {}).text).toBe(DEFAULT_REPLY);
    expect(buildPlan(req('[think]'), {}).text).toBe(DEFAULT_REPLY);
  });

  it('[think-tags] writes the reasoning into the answer in <think> tags, streamed in pieces that cut the tags', () => {
    const p = buildPlan(req('[think-tags] hi you'), {});
    expect(p.text).toBe(`<think>\n${thinkTagsReasoning('hi you')}\n</think>\n\nEcho: hi you`);
    expect(p.reasoning).toBe('');
    expect(p.textChunks.join('')).toBe(p.text);
    expect(p.textChunks).toContain('<thin');
    expect(p.usage.output).toBe(countWords(p.text));
  });

  it('splits text into chunks that concatenate back to it', () => {
    const p = buildPlan(req('one two three four five six seven eight nine ten'), {});
    expect(p.textChunks.length).toBeGreaterThan(1);
    expect(p.textChunks.join('')).toBe(p.text);
    const one = buildPlan(req(''), { chunks: 1 });
    expect(one.textChunks).toEqual([DEFAULT_REPLY]);
  });

  it('pads to the requested chunk count and honours max tokens', () => {
    const p = buildPlan(req('hi'), { chunks: 64, delayMs: 20 });
    expect(p.textChunks).toHaveLength(64);
    expect(countWords(p.text)).toBe(64);
    expect(p.delayMs).toBe(20);
    const capped = buildPlan(req('a b c d', { maxOutputTokens: 2 }), {});
    expect(capped).toMatchObject({ text: 'Echo: a', finish: 'length' });
  });

  it('counts usage in words', () => {
    const p = buildPlan(req('[cache:10/4] one two', { system: ['be nice'] }), {});
    expect(p.usage).toEqual({ input: 5, cacheRead: 10, cacheWrite: 4, output: 3, reasoning: 0 });
  });
});

describe('awkwardFragments', () => {
  it('cuts inside strings and right after backslashes, losslessly', () => {
    const json = JSON.stringify({ p: 'a\\b "c" déjà' });
    const f = awkwardFragments(json);
    expect(f.join('')).toBe(json);
    expect(f.length).toBeGreaterThan(3);
    expect(f.filter((x) => x.endsWith('\\')).length).toBeGreaterThanOrEqual(2);
  });
});
