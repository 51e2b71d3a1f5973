import type { RoutedPlugin } from '@switchboard/contracts';
import { pluginsFor, scopePlugins } from './plugin-scope';

const routed = (over: Partial<RoutedPlugin>): RoutedPlugin => ({ name: 'cache', models: null, groups: null, tokens: null, settings: {}, ...over });
const subject = { model: 'gpt-4o-mini', group: 'default', tokenId: 7 };

describe('plugin scope', () => {
  it('keeps the relay’s fixed order whatever order the table lists them in', () => {
    const scoped = scopePlugins([routed({ name: 'think-split' }), routed({ name: 'stream-fake' }), routed({ name: 'cache' }), routed({ name: 'web-search' })]);
    expect(pluginsFor(scoped, subject).map((p) => p.name)).toEqual(['cache', 'web-search', 'stream-fake', 'think-split']);
  });

  it('matches models (with wildcards), groups and tokens; every set list must match', () => {
    const scoped = scopePlugins([
      routed({ name: 'cache', models: ['gpt-4o*'] }),
      routed({ name: 'web-search', models: ['claude-*'] }),
      routed({ name: 'stream-fake', groups: ['vip'] }),
      routed({ name: 'think-split', models: ['gpt-4o-mini'], tokens: [7, 8] }),
    ]);
    expect(pluginsFor(scoped, subject).map((p) => p.name)).toEqual(['cache', 'think-split']);
    expect(pluginsFor(scoped, { ...subject, group: 'vip', tokenId: 9 }).map((p) => p.name)).toEqual(['cache', 'stream-fake']);
    expect(pluginsFor(scoped, { ...subject, tokenId: null }).map((p) => p.name)).toEqual(['cache']);
  });

  it('answers the same empty list when nothing is enabled or nothing matches', () => {
    const none = pluginsFor(scopePlugins([]), subject);
    expect(none).toHaveLength(0);
    expect(pluginsFor(scopePlugins([routed({ groups: ['x'] })]), subject)).toBe(none);
  });
});
