import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createO200k } from '@switchboard/protocols';
import { o200kRanksFile } from './tokenizer-ranks';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the ranks the build writes as JSON
const ranks = (require('gpt-tokenizer/bpeRanks/o200k_base') as { default: (string | number[])[] }).default;

describe('the tokenizer from the build JSON of its ranks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-ranks-'));
    writeFileSync(join(dir, 'full.json'), JSON.stringify(ranks));
    // ranks below 1 000 only: most words fall apart into pieces
    writeFileSync(join(dir, 'short.json'), JSON.stringify(ranks.slice(0, 1_000)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const samples = [
    'Benchmark request: say hello in one short sentence.',
    'Die Straße ist naß; 東京の天気は晴れです。 Привет, мир! 🚀🎉 مرحبا',
    'function f(x) {\n  return x.map((y) => y ** 2);\n}\n',
    'aGVsbG8gd29ybGQ='.repeat(40),
    '\u00ff\u0001\ud83d\ude00 \t\r\n  ',
  ];

  it('counts exactly as the package module does, the ranks of non-UTF-8 byte runs included', () => {
    const fromJson = createO200k(o200kRanksFile(join(dir, 'full.json')));
    const fromPackage = createO200k();
    expect(ranks.some((r) => typeof r !== 'string')).toBe(true);
    for (const s of samples) expect(fromJson.countTokens(s)).toBe(fromPackage.countTokens(s));
    expect(fromJson.countTokens(samples[0])).toBe(10);
  });

  it('reads the file it is given (a shorter rank table counts more tokens), and none where there is no file', () => {
    const short = createO200k(o200kRanksFile(join(dir, 'short.json')));
    const full = createO200k(o200kRanksFile(join(dir, 'full.json')));
    expect(short.countTokens(samples[0])).toBeGreaterThan(full.countTokens(samples[0]));
    expect(o200kRanksFile(join(dir, 'missing.json'))).toBeUndefined();
  });
});
