// The build's JSON copy of the tokenizer's ranks, where the built gateway looks for it (`node scripts/build.mjs` first):
// without it the gateway falls back to compiling the package's array literal (slower start, more memory).
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './deploy-files';

describe('the built gateway and the tokenizer ranks', () => {
  it('finds the ranks beside its compiled loader, and they are the installed package ranks', () => {
    const built = path.join(ROOT, 'dist/apps/gateway/src/relay/tokenizer-ranks.js');
    if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`node scripts/build.mjs\` (npm test does) first`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled module, as the gateway runs it
    const { o200kRanksFile } = require(built) as typeof import('../../../apps/gateway/src/relay/tokenizer-ranks');
    const ranks = o200kRanksFile();
    expect(ranks).toBeDefined();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- what the package itself would load
    const own = (require('gpt-tokenizer/bpeRanks/o200k_base') as { default: (string | number[])[] }).default;
    expect(ranks!()).toEqual(own);
  });
});
