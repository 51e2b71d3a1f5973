import fs from 'node:fs';
import path from 'node:path';
import { CHANNEL_TYPES, defaultBaseUrl, reportsBalance, reportsKeyAllowance } from './registry';

/** README "Channel types": one row per type the registry accepts, saying what the router reads of each. */
describe('README channel types table', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
  const table = readme.split('\n### Channel types\n')[1]?.split('\n\n**Key pools.**')[0] ?? '';
  const rows = new Map(
    table
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => {
        const cells = l.split(' | ');
        return [cells[0].slice(2).replace(/`/g, ''), { baseUrl: cells[1], key: cells[2], usage: cells[4] }] as const;
      }),
  );

  it('lists every channel type, and only those', () => {
    expect([...rows.keys()].sort()).toEqual([...CHANNEL_TYPES].sort());
  });

  it('gives each type its key shape, its fixed default base URL, and says where a balance or key usage is read', () => {
    for (const type of CHANNEL_TYPES) {
      const row = rows.get(type)!;
      expect([type, row.key.trim().length > 0]).toEqual([type, true]);
      const url = defaultBaseUrl(type);
      // templated hosts (kiro's region, vertex's location) are described, not spelled
      if (url && !url.includes('{') && !url.includes('aiplatform')) expect([type, row.baseUrl]).toEqual([type, expect.stringContaining(url)]);
      // "— (why not)" for none; else "balance…" and/or "key usage…", each leading its clause
      expect([type, /(^|; )balance\b/.test(row.usage)]).toEqual([type, reportsBalance(type)]);
      expect([type, /(^|; )key usage\b/.test(row.usage)]).toEqual([type, reportsKeyAllowance(type)]);
    }
  });
});
