import { DEFAULT_CACHE_READ, parseDirectives } from './directive.parser';

describe('parseDirectives', () => {
  it('returns plain text untouched (whitespace collapsed)', () => {
    expect(parseDirectives('  hello   world ')).toEqual({ calls: [], think: false, text: 'hello world' });
  });

  it('extracts calls whose JSON contains brackets, quotes and escapes', () => {
    const d = parseDirectives('a [call:get_weather {"city":"Pa]ris","q":"x \\" y"}] b [call:get_time] c');
    expect(d.calls).toEqual([
      { name: 'get_weather', args: { city: 'Pa]ris', q: 'x " y' } },
      { name: 'get_time', args: {} },
    ]);
    expect(d.text).toBe('a b c');
  });

  it('leaves malformed call directives as text', () => {
    const d = parseDirectives('x [call:f {not json}] y [call:g [1]]');
    expect(d.calls).toEqual([]);
    expect(d.text).toBe('x [call:f {not json}] y [call:g [1]]');
  });

  it('reads think, cache, chunks, delay and error', () => {
    const d = parseDirectives('[THINK] [cache] [chunks:64] [delay:20] [error:529] hi');
    expect(d).toMatchObject({ think: true, cache: { read: DEFAULT_CACHE_READ, write: 0 }, chunks: 64, delayMs: 20, errorStatus: 529, text: 'hi' });
    expect(parseDirectives('[cache:10/5]').cache).toEqual({ read: 10, write: 5 });
    expect(parseDirectives('[cache:7]').cache).toEqual({ read: 7, write: 0 });
  });
});
