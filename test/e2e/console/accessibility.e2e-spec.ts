import { CONSOLE_PAGES } from '../../../apps/gateway/src/console/console.routes';
import fs from 'node:fs';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(300_000);

// every bookmarkable page the gateway serves (SPEC §8 and the pages added since): a new page is covered by itself
// (/account is a signed-in user's own page, in console/accounts; these run with the admin key)
const PAGES = CONSOLE_PAGES.filter((p) => p !== 'account');
// Evaluated through the DevTools protocol: the console's CSP (script-src 'self') refuses an injected <script>, rightly.
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Every page, in both themes, checked by axe-core (WCAG 2 A/AA rules: labels, names, roles, contrast) with data on
 * it; a serious or critical violation fails with the rule and the elements it found.
 */
describe('console accessibility (axe-core, standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let cb: ConsoleBrowser;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    const admin = adminClient(sys.url, sys.adminKey);
    await admin.post('/api/channels', { name: 'mock', type: 'openai', baseUrl: mock.url, keys: ['sk-up'], models: ['gpt-4o-mini'] });
    await admin.post('/api/users', { name: 'alice', balance: 5 });
    await admin.post('/api/aliases', { name: 'fast', targets: [{ model: 'gpt-4o-mini', weight: 1 }], fallbacks: [] });
    // one with no group listed, so the table shows its warning badge too
    await admin.post('/api/mcp-servers', {
      name: 'docs',
      type: 'remote',
      url: 'http://127.0.0.1:9/mcp',
      headers: { Authorization: 'Bearer upstream-0123456789' },
      groups: [],
    });
    await admin.post('/api/redemptions', { value: 1, count: 2 });
    const key = String((await admin.post('/api/tokens', { name: 'a11y' })).body.key);
    const openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await eventually(async () => (await admin.get<{ total: number }>('/api/logs')).body.total === 1, 10_000, 'the request log');
    cb = await openConsole(sys);
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`has no serious or critical violation on any page (${scheme})`, async () => {
      const { page } = cb;
      await page.emulateMedia({ colorScheme: scheme });
      const found: string[] = [];
      for (const name of PAGES) {
        await page.goto(`/${name}`);
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        await page.locator('.mantine-Loader-root').first().waitFor({ state: 'detached' });
        await page.evaluate(AXE);
        const violations = await page.evaluate<AxeViolation[]>(
          `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`,
        );
        for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
          found.push(
            `/${name} ${v.id} (${v.help}): ${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 5)
              .join(', ')}`,
          );
      }
      expect(found).toEqual([]);
      expect(cb.pageErrors).toEqual([]);
    });
  }
});
