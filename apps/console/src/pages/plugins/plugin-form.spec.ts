import { badTokenIds, draftFromPlugin, fieldsOf, pluginUpdateBody, type PluginRow } from './plugin-form';

const webSearch = {
  name: 'web-search',
  enabled: false,
  models: null,
  groups: ['team'],
  tokens: null,
  engine: 'searxng',
  url: null,
  apiKey: 'sk-…9f2a',
  cx: null,
  maxResults: 5,
  rewriteModel: null,
  always: false,
  pricePerSearch: 0.01,
  updatedAt: null,
} as PluginRow;

describe('plugin form', () => {
  it('shows the known settings in order, then any other the gateway answered, typed by its value', () => {
    expect(fieldsOf(webSearch).map((f) => f.key)).toEqual(['engine', 'url', 'apiKey', 'cx', 'maxResults', 'rewriteModel', 'always', 'pricePerSearch']);
    expect(fieldsOf({ ...webSearch, maxTokens: 30 }).at(-1)).toEqual({ key: 'maxTokens', kind: 'number', nullable: false });
    expect(fieldsOf({ ...webSearch, region: null }).at(-1)).toEqual({ key: 'region', kind: 'text', nullable: true });
    expect(fieldsOf({ name: 'stream-fake', enabled: true, models: null, groups: null, tokens: null, updatedAt: null })).toEqual([]);
  });

  it('sends only what changed: an emptied list is "any" (null), an emptied optional box null, numbers as numbers', () => {
    const before = draftFromPlugin(webSearch);
    expect(before).toMatchObject({ enabled: false, models: [], groups: ['team'], settings: { url: '', apiKey: 'sk-…9f2a', maxResults: 5 } });
    expect(pluginUpdateBody(webSearch, before, before)).toEqual({});
    const after = {
      ...before,
      enabled: true,
      models: ['gpt-4o*'],
      groups: [],
      tokens: ['12', ' 7 '],
      settings: { ...before.settings, url: ' http://searx.local ', maxResults: '8', always: true },
    };
    expect(pluginUpdateBody(webSearch, before, after)).toEqual({
      enabled: true,
      models: ['gpt-4o*'],
      groups: null,
      tokens: [12, 7],
      url: 'http://searx.local',
      maxResults: 8,
      always: true,
    });
    // the masked key sent back unchanged is not sent at all; a new one is
    expect(pluginUpdateBody(webSearch, before, { ...before, settings: { ...before.settings, apiKey: 'sk-new' } })).toEqual({ apiKey: 'sk-new' });
    expect(pluginUpdateBody(webSearch, { ...before, settings: { ...before.settings, url: 'http://x' } }, before)).toEqual({ url: null });
  });

  it('names token ids that are not ids', () => {
    expect(badTokenIds({ ...draftFromPlugin(webSearch), tokens: ['3', 'abc', '0', '4.5'] })).toEqual(['abc', '0', '4.5']);
  });
});
