// Re-renders the tables of a saved run (bench/results/<run>.json, default latest.json) from its summary, with the
// report's current goals: the raw samples are not kept, the cells' figures are.
//
//   node bench/render.mjs [bench/results/<run>.json]
import fs from 'node:fs';
import path from 'node:path';
import { report } from './lib/report.mjs';
import { ROOT } from './lib/systems.mjs';

const file = process.argv[2] ?? path.join(ROOT, 'bench/results/latest.json');
const out = JSON.parse(fs.readFileSync(file, 'utf8'));
if (!out.summary?.cells) throw new Error(`${file}: no summary.cells (not a bench/run.mjs result)`);
const gateways = out.targets.filter((t) => t.name !== 'direct').map((t) => t.name); // every target with a process of its own
process.stdout.write(report(out, gateways, out.summary.cells).markdown + '\n');
