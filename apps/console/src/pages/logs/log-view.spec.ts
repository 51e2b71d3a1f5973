import { fmtShortTime, fmtTime, modelLabel, nameOf, pluginsLabel, protocolLabel, statusColor, totalTokens, unitParts } from './log-view';

describe('log view helpers', () => {
  it('colours statuses by class', () => {
    expect([200, 201, 400, 404, 429, 500, 502, 0].map(statusColor)).toEqual(['green', 'green', 'orange', 'orange', 'yellow', 'red', 'red', 'gray']);
  });

  it('shows the upstream model and protocol only when they differ', () => {
    expect(modelLabel({ model: 'fast', upstreamModel: 'gpt-4o-mini' })).toBe('fast → gpt-4o-mini');
    expect(modelLabel({ model: 'gpt-4o', upstreamModel: 'gpt-4o' })).toBe('gpt-4o');
    expect(modelLabel({ model: 'gpt-4o', upstreamModel: null })).toBe('gpt-4o');
    expect(protocolLabel({ protocol: 'anthropic', upstreamProtocol: 'openai-chat' })).toBe('anthropic → openai-chat');
    expect(protocolLabel({ protocol: 'gemini', upstreamProtocol: null })).toBe('gemini');
  });

  it('lists what each plugin did, none when no plugin ran', () => {
    expect(pluginsLabel({ cache: 'hit', 'stream-fake': 'applied' })).toBe('cache: hit, stream-fake: applied');
    expect(pluginsLabel(null)).toBe('');
    expect(pluginsLabel(undefined)).toBe('');
  });

  it('names ids from a list, else #id, else a dash', () => {
    const names = new Map([[2, 'mock']]);
    expect(nameOf(2, names)).toBe('mock');
    expect(nameOf(9, names)).toBe('#9');
    expect(nameOf(null, names)).toBe('—');
    expect(totalTokens({ promptTokens: 3, completionTokens: 4 })).toBe(7);
  });
});

describe('fmtTime', () => {
  it('formats by locale to the second', () => {
    const iso = '2026-12-06T09:05:07.000Z';
    const d = new Date(iso);
    expect(fmtTime(iso, 'en-US')).toContain(String(d.getSeconds()).padStart(2, '0'));
    expect(fmtTime(iso, 'zh-CN')).toMatch(/^2026\//);
  });
});

describe('fmtShortTime', () => {
  it('is month, day and 24-hour time', () => {
    const d = new Date(2026, 11, 6, 14, 5, 7);
    expect(fmtShortTime(d.toISOString(), 'en-US')).toBe('12/06 14:05:07');
  });

  it('lists the units a record was billed in a fixed order, without the absent or zero ones', () => {
    expect(unitParts({ searchUnits: 3, images: 2, characters: 0 })).toEqual([
      ['images', 2],
      ['searchUnits', 3],
    ]);
    expect(unitParts({ audioSeconds: 12.5 })).toEqual([['audioSeconds', 12.5]]);
    expect(unitParts(null)).toEqual([]);
    expect(unitParts(undefined)).toEqual([]);
  });
});
