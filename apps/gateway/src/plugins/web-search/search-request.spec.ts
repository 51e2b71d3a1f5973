import { lastQuestion, SEARCH_DIALECTS } from './search-request';

/** How each protocol asks for search, what goes upstream instead, and where the results are written. */
describe('web-search request dialects', () => {
  it('openai chat: web_search_options asks; stripped; results after the leading system messages', () => {
    const d = SEARCH_DIALECTS['openai-chat']!;
    const body = {
      model: 'm',
      web_search_options: {},
      messages: [
        { role: 'developer', content: 'be brief' },
        { role: 'user', content: 'q' },
      ],
    };
    expect(d.strip({ model: 'm', messages: [] })).toBeNull();
    expect(d.strip({ model: 'm', web_search_options: null, messages: [] })).toBeNull();
    const stripped = d.strip(body)!;
    expect(stripped).not.toHaveProperty('web_search_options');
    expect(d.inject(stripped, 'RESULTS').messages).toEqual([
      { role: 'developer', content: 'be brief' },
      { role: 'system', content: 'RESULTS' },
      { role: 'user', content: 'q' },
    ]);
    expect(body).toHaveProperty('web_search_options'); // the client's body is not changed in place
  });

  it('responses: web_search / web_search_preview tools stripped (with a tool_choice and include naming them); results appended to instructions', () => {
    const d = SEARCH_DIALECTS['openai-responses']!;
    const fn = { type: 'function', name: 'f', parameters: {} };
    expect(d.strip({ input: 'q', tools: [fn] })).toBeNull();
    expect(d.strip({ input: 'q', tools: [{ type: 'web_search_preview' }, fn], tool_choice: { type: 'web_search_preview' } })).toEqual({
      input: 'q',
      tools: [fn],
    });
    expect(d.strip({ input: 'q', tools: [{ type: 'web_search' }], tool_choice: 'auto', include: ['web_search_call.action.sources'] })).toEqual({
      input: 'q',
      include: [],
    });
    expect(d.inject({ input: 'q', instructions: 'Be brief.' }, 'RESULTS').instructions).toBe('Be brief.\n\nRESULTS');
    expect(d.inject({ input: 'q' }, 'RESULTS').instructions).toBe('RESULTS');
  });

  it('anthropic: the web_search server tool stripped, earlier search blocks and citations dropped from history; results appended to system', () => {
    const d = SEARCH_DIALECTS.anthropic!;
    const body = {
      model: 'c',
      max_tokens: 10,
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }],
      tool_choice: { type: 'tool', name: 'web_search' },
      messages: [
        { role: 'user', content: 'first' },
        {
          role: 'assistant',
          content: [
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'first' } },
            { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
            { type: 'text', text: 'A [1]', citations: [{ type: 'web_search_result_location', url: 'u' }] },
          ],
        },
        { role: 'user', content: 'second' },
      ],
    };
    const stripped = d.strip(body)!;
    expect(stripped).not.toHaveProperty('tools');
    expect(stripped).not.toHaveProperty('tool_choice');
    expect((stripped.messages as { content: unknown }[])[1].content).toEqual([{ type: 'text', text: 'A [1]' }]);
    expect(d.inject({ system: 'S' }, 'R').system).toBe('S\n\nR');
    expect(d.inject({ system: [{ type: 'text', text: 'S' }] }, 'R').system).toEqual([
      { type: 'text', text: 'S' },
      { type: 'text', text: 'R' },
    ]);
    expect(lastQuestion('anthropic', stripped)).toBe('second');
  });

  it('gemini: googleSearch (and snake_case, retrieval) removed from tools; results a systemInstruction part', () => {
    const d = SEARCH_DIALECTS.gemini!;
    const fns = { functionDeclarations: [{ name: 'f' }] };
    expect(d.strip({ contents: [], tools: [fns] })).toBeNull();
    expect(d.strip({ contents: [], tools: [{ googleSearch: {} }] })).toEqual({ contents: [] });
    expect(d.strip({ contents: [], tools: [{ google_search: {}, ...fns }] })).toEqual({ contents: [], tools: [fns] });
    expect(d.inject({ contents: [] }, 'R')).toEqual({ contents: [], systemInstruction: { parts: [{ text: 'R' }] } });
    expect(d.inject({ contents: [], system_instruction: { parts: [{ text: 'S' }] } }, 'R')).toEqual({
      contents: [],
      system_instruction: { parts: [{ text: 'S' }, { text: 'R' }] },
    });
  });

  it('the question is the last user message with text, read over the IR', () => {
    expect(
      lastQuestion('openai-chat', {
        model: 'm',
        messages: [
          { role: 'user', content: 'old' },
          { role: 'assistant', content: 'answer' },
          { role: 'user', content: [{ type: 'text', text: ' what is\n new? ' }] },
        ],
      }),
    ).toBe('what is new?');
    expect(lastQuestion('gemini', { contents: [{ role: 'user', parts: [{ text: 'g?' }] }] })).toBe('g?');
    expect(lastQuestion('openai-responses', { input: 'r?' })).toBe('r?');
    expect(lastQuestion('openai-chat', { model: 'm', messages: [] })).toBeNull();
  });
});
