import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { O200kRanks } from '@switchboard/protocols';

/** Written beside this module by `npm run build` (scripts/build.mjs), from the installed gpt-tokenizer. */
const O200K_RANKS_FILE = 'o200k_base.ranks.json';

/**
 * The tokenizer's ranks from the build's JSON copy (see createO200k for why), or undefined where no build wrote it
 * (the sources under ts-jest): the package's module is then used.
 */
export function o200kRanksFile(file = join(__dirname, O200K_RANKS_FILE)): O200kRanks | undefined {
  return existsSync(file) ? () => JSON.parse(readFileSync(file, 'utf8')) as ReturnType<O200kRanks> : undefined;
}
