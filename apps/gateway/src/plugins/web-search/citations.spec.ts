import type { IrResponse, IrStreamEvent, IrWebSearch } from '@switchboard/protocols';
import { citationTransform, citationsOf } from './citations';

const search: IrWebSearch = {
  id: 'abc',
  query: 'q',
  sources: [
    { url: 'https://a.example/1', title: 'A', snippet: 'alpha' },
    { url: 'https://b.example/2', title: 'B' },
  ],
};

describe('web-search citations', () => {
  it('each [n] marker cites source n at its span; out-of-range markers are not citations', () => {
    expect(citationsOf('x [2] y [1] z [7]', search)).toEqual([
      { url: 'https://b.example/2', title: 'B', startIndex: 2, endIndex: 5, citedText: 'B' },
      { url: 'https://a.example/1', title: 'A', startIndex: 8, endIndex: 11, citedText: 'alpha' },
    ]);
  });

  it('without markers every source cites the whole text', () => {
    expect(citationsOf('plain', search).map((c) => [c.url, c.startIndex, c.endIndex])).toEqual([
      ['https://a.example/1', 0, 5],
      ['https://b.example/2', 0, 5],
    ]);
  });

  it('a whole answer gets the search and its text parts their citations', () => {
    const ir: IrResponse = { parts: [{ type: 'text', text: 'see [1]' }], stopReason: 'stop', usage: null };
    const out = citationTransform(search).response(ir);
    expect(out.webSearch).toBe(search);
    expect(out.parts[0]).toMatchObject({ type: 'text', citations: [{ url: 'https://a.example/1', startIndex: 4, endIndex: 7 }] });
  });

  it('a stream announces the search after start and cites the whole streamed text before finish', () => {
    const t = citationTransform(search);
    const events: IrStreamEvent[] = [
      { type: 'start', id: 'x' },
      { type: 'text_delta', text: 'one [' },
      { type: 'text_delta', text: '2] two' },
      { type: 'finish', reason: 'stop' },
      { type: 'done' },
    ];
    const out = events.flatMap((e) => t.event(e));
    expect(out.map((e) => e.type)).toEqual(['start', 'web_search', 'text_delta', 'text_delta', 'citations', 'finish', 'done']);
    expect(out[4]).toEqual({ type: 'citations', citations: [expect.objectContaining({ url: 'https://b.example/2', startIndex: 4, endIndex: 7 })] });
    expect(t.flush()).toEqual([]);
  });
});
