// What counting an agent's prompt costs the relay's thread: the TPM estimate (estimatePromptTokens) of a coding
// agent's requests, turn after turn — a long system prompt, a dozen tool definitions, and the conversation so far sent
// again each time. Texts are cut from this repository's README (real prose and code, not repeated patterns).
//
//   npm run build && node bench/prompt-tokens.mjs [--turns 30] [tree ...]
// Each tree (default: this one) runs in a fresh node process from its built dist/; prints ms per estimate for the
// first turn and for the later ones.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const turnsAt = args.indexOf('--turns');
const turns = turnsAt >= 0 ? Number(args.splice(turnsAt, 2)[1]) : 30;

if (process.env.PROMPT_TOKENS_CHILD) {
  const tree = process.env.PROMPT_TOKENS_CHILD;
  const { estimatePromptTokens, loadTokenizer } = createRequire(import.meta.url)(path.join(tree, 'dist/libs/protocols/src/index.js'));
  loadTokenizer();
  const prose = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const cut = (at, chars) => prose.slice(at % (prose.length - chars), (at % (prose.length - chars)) + chars);
  const tools = Array.from({ length: 12 }, (_, i) => ({
    type: 'function',
    function: { name: `tool_${i}`, description: cut(90_000 + i * 1_700, 1_500), parameters: { type: 'object', properties: { path: { type: 'string' } } } },
  }));
  const system = cut(0, 30_000);
  const history = [];
  const times = [];
  let tokens = 0;
  for (let t = 0; t < turns; t++) {
    history.push({ role: 'user', content: cut(40_000 + t * 2_300, 800) }, { role: 'assistant', content: cut(60_000 + t * 3_100, 1_200) });
    const body = { model: 'gpt-4o', tools, messages: [{ role: 'system', content: system }, ...history] };
    const t0 = process.hrtime.bigint();
    tokens = estimatePromptTokens('openai-chat', body);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const later = times.slice(1);
  console.log(JSON.stringify({ first: times[0], later: later.reduce((a, b) => a + b, 0) / later.length, lastTokens: tokens }));
} else {
  const trees = args.length ? args : [ROOT];
  console.log(`estimatePromptTokens of a coding agent's requests, ${turns} turns (system 30 000 chars, 12 tools, +2 messages a turn)\n`);
  console.log('| tree | first turn ms | later turns ms (mean) | prompt tokens at the last turn |\n|---|--:|--:|--:|');
  for (const tree of trees) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--turns', String(turns)], {
      env: { ...process.env, PROMPT_TOKENS_CHILD: path.resolve(tree) },
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').pop());
    console.log(`| ${tree} | ${r.first.toFixed(2)} | ${r.later.toFixed(2)} | ${r.lastTokens} |`);
  }
}
