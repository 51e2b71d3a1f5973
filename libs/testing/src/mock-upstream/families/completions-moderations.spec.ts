import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../../index';

describe('mock upstream: Completions and Moderations, driven by the official openai SDK', () => {
  let mock: MockUpstream;
  let client: OpenAI;

  beforeAll(async () => {
    mock = await startMockUpstream();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  it('completions: text_completion with the echo text, max_tokens (default 16) and usage', async () => {
    const r = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 3 });
    expect(r).toMatchObject({ object: 'text_completion', model: 'gpt-3.5-turbo-instruct' });
    expect(r.id).toMatch(/^cmpl-/);
    expect(r.choices).toEqual([{ text: 'Echo: Say this', index: 0, logprobs: null, finish_reason: 'length' }]);
    expect(r.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    const long = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ') });
    expect(long.usage?.completion_tokens).toBe(16);
  });

  it('completions: several prompts × n, echo and logprobs', async () => {
    const r = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: ['a b', 'c'], n: 2, echo: true, logprobs: 2 });
    expect(r.choices.map((c) => [c.index, c.text])).toEqual([
      [0, 'a bEcho: a b'],
      [1, 'a bEcho: a b'],
      [2, 'cEcho: c'],
      [3, 'cEcho: c'],
    ]);
    expect(r.choices[0].logprobs?.tokens?.join('')).toBe('a bEcho: a b');
  });

  it('completions stream: text chunks, the finish in an empty chunk, usage: null then the usage chunk, [DONE]', async () => {
    const res = await fetch(`${mock.url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'one two three', stream: true, stream_options: { include_usage: true } }),
    });
    const frames = (await res.text()).split('\n\n').filter(Boolean);
    expect(frames[frames.length - 1]).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)) as Record<string, any>);
    expect(chunks.at(-1)).toMatchObject({ object: 'text_completion', choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
    expect(chunks.at(-2)!.choices).toEqual([{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }]);
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
    expect(
      chunks
        .slice(0, -1)
        .map((c) => c.choices[0].text)
        .join(''),
    ).toBe('Echo: one two three');
    let text = '';
    for await (const c of await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi there', stream: true }))
      text += c.choices[0]?.text ?? '';
    expect(text).toBe('Echo: hi there');
  });

  it("completions: a chat model is OpenAI's 404, a missing prompt a 400", async () => {
    await expect(client.completions.create({ model: 'gpt-4o', prompt: 'x' })).rejects.toMatchObject({ status: 404, param: 'model' });
    await expect(client.completions.create({ model: 'gpt-3.5-turbo-instruct' } as never)).rejects.toMatchObject({ status: 400, param: 'prompt' });
  });

  it('moderations: one result per string, every category scored, flagged by a keyword', async () => {
    const r = await client.moderations.create({ model: 'omni-moderation-latest', input: ['I will hurt you', 'a sunny day'] });
    expect(r.id).toMatch(/^modr-/);
    expect(r.results.map((x) => x.flagged)).toEqual([true, false]);
    expect(r.results[0].categories.violence).toBe(true);
    expect(Object.keys(r.results[1].category_scores)).toHaveLength(13);
    expect(r.results[1].category_applied_input_types.violence).toEqual(['text']);
  });

  it('moderations: multimodal parts are one result, images scored where the category applies; no input is a 400', async () => {
    const r = await client.moderations.create({
      model: 'omni-moderation-latest',
      input: [
        { type: 'text', text: 'so much hate' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ],
    });
    expect(r.results).toHaveLength(1);
    expect(r.results[0].categories.hate).toBe(true);
    expect(r.results[0].category_applied_input_types['violence/graphic']).toEqual(['text', 'image']);
    expect(r.results[0].category_applied_input_types.hate).toEqual(['text']);
    await expect(client.moderations.create({} as never)).rejects.toMatchObject({ status: 400, param: 'input' });
  });
});
