// The import boundaries of CONVENTIONS.md are ESLint errors (eslint.config.mjs, rule `switchboard/boundaries`). This
// lints small snippets placed at virtual paths of the tree with the project's real config, so a config change that
// stops a boundary from firing (a glob that no longer matches, a rule left out) fails here and not in review.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../..');

interface Case {
  file: string;
  code: string;
}

/** ESLint's Node API in a child (the config is ESM): only the boundary rule runs, without type information (fast). */
function lint(cases: Case[]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    import path from 'node:path';
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({
      cwd: process.cwd(),
      ruleFilter: ({ ruleId }) => ruleId === 'switchboard/boundaries',
      overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
    });
    const out = [];
    for (const c of cases) {
      const [r] = await eslint.lintText(c.code, { filePath: path.join(process.cwd(), c.file) });
      out.push(r.messages.map((m) => (m.ruleId ?? 'fatal') + ': ' + m.message));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`eslint child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

const bad: Array<[string, string, RegExp]> = [
  // apps never import another app: relative paths climbing out of the app, or the app's package alias
  ['apps/gateway/src/relay/x.ts', `import { TokenService } from '../../../auth/src/tokens/token.service';`, /apps never import another app/],
  ['apps/billing/src/x.ts', `import { AuthModule } from '@switchboard/auth';`, /apps never import another app/],
  ['apps/router/src/x.ts', `export * from '../../gateway/src/index';`, /apps never import another app/],
  ['apps/log-writer/src/x.ts', `const m = await import('../../billing/src/billing.module');`, /apps never import another app/],
  ['apps/standalone/src/x.ts', `import { RelayService } from '../../gateway/src/relay/relay.service';`, /apps never import another app/],
  // libs never import apps
  ['libs/pricing/src/x.ts', `import { BillingModule } from '@switchboard/billing';`, /libs never import apps/],
  ['libs/common/src/x.ts', `import { x } from '../../../apps/router/src/x';`, /libs never import apps/],
  // the gateway never imports the database
  ['apps/gateway/src/x.ts', `import { PrismaService } from '@switchboard/db';`, /gateway never imports @switchboard\/db/],
  ['apps/gateway/src/admin/x.ts', `import type { Token } from '@switchboard/db';`, /gateway never imports @switchboard\/db/],
  ['apps/gateway/src/x.ts', `import { PrismaClient } from '@prisma/client';`, /gateway never imports @switchboard\/db/],
  ['apps/gateway/src/x.ts', `import { x } from '../../../libs/db/src/index';`, /gateway never imports @switchboard\/db/],
  // libs/protocols does no I/O
  ...[
    `import fs from 'node:fs';`,
    `import { readFile } from 'fs/promises';`,
    `import net from 'net';`,
    `import https from 'node:https';`,
    `import { request } from 'undici';`,
    `import Redis from 'ioredis';`,
    `import { connect } from 'nats';`,
    `import { Pool } from 'pg';`,
    `import { PrismaClient } from '@prisma/client';`,
    `import { PrismaService } from '@switchboard/db';`,
    `import { MessagingModule } from '@switchboard/messaging';`,
    `const http = require('node:http');`,
    `const m = await import('node:net');`,
    `export { x } from '../../../messaging/src/index';`,
  ].map((code): [string, string, RegExp] => ['libs/protocols/src/openai/x.ts', code, /libs\/protocols does no I\/O/]),
];

const good: Array<[string, string]> = [
  ['apps/standalone/src/x.ts', `import { GatewayModule } from '@switchboard/gateway';`],
  ['apps/gateway/src/relay/x.ts', `import { Subjects } from '@switchboard/contracts';\nimport { y } from '../config/y';`],
  ['apps/auth/src/x.ts', `import { PrismaService } from '@switchboard/db';`],
  ['libs/protocols/src/openai/x.ts', `import { z } from 'zod';\nimport { y } from '../core/json.util';\nimport { c } from '@switchboard/common';`],
  ['libs/protocols/src/openai/x.spec.ts', `import fs from 'node:fs';`],
  ['libs/protocols/src/testing/x.ts', `import fs from 'node:fs';`],
  ['test/e2e/x.e2e-spec.ts', `import { GatewayModule } from '@switchboard/gateway';\nimport { PrismaService } from '@switchboard/db';`],
];

describe('import boundaries (eslint.config.mjs)', () => {
  const results = lint([...bad.map(([file, code]) => ({ file, code })), ...good.map(([file, code]) => ({ file, code }))]);

  test.each(bad.map(([file, code, why], i) => [file, code, why, i] as const))('%s: `%s` is refused', (_file, _code, why, i) => {
    expect(results[i]).toHaveLength(1);
    expect(results[i][0]).toMatch(/^switchboard\/boundaries: /);
    expect(results[i][0]).toMatch(why);
  });

  test.each(good.map(([file, code], i) => [file, code, bad.length + i] as const))('%s: `%s` is allowed', (_file, _code, i) => {
    expect(results[i]).toEqual([]);
  });
});
