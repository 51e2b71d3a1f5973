import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { System } from '../../support/harness';

/** Debian's chromium (.ci/run installs it); playwright-core drives it, it downloads no browser of its own. */
export const CHROMIUM = process.env.SB_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Screenshots for people reviewing the console (gitignored). */
export const SHOTS = path.resolve(__dirname, '../../../test-results/console');

export interface ConsoleBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** page crashes, CSP refusals and every failed response, by URL; a test ends with `expect(pageErrors).toEqual([])` */
  pageErrors: string[];
  /** a screenshot under test-results/console/ */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every browser a test file opened and has not closed: closed after the file's tests, so a test that fails before its
 * own `close()` (a second browser for the dark theme, say) leaves no chromium behind to keep jest from exiting.
 */
const open = new Set<Browser>();
afterAll(async () => {
  await Promise.all([...open].map((b) => b.close().catch(() => undefined)));
  open.clear();
});

/**
 * Chromium with a signed-in console session (the cookie of `POST /api/session`, as the sign-in form would get it), in
 * the light theme and English unless asked otherwise. `expectedStatuses` lists responses a test provokes on purpose.
 */
export async function openConsole(
  sys: System,
  opts: { signedIn?: boolean; colorScheme?: 'light' | 'dark'; locale?: string; expected?: (status: number, url: URL) => boolean } = {},
): Promise<ConsoleBrowser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set SB_CHROMIUM)`);
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  open.add(browser);
  const context = await browser.newContext({
    baseURL: sys.url,
    viewport: { width: 1280, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
    locale: opts.locale ?? 'en-US',
    acceptDownloads: true,
  });
  if (opts.signedIn !== false) {
    const r = await fetch(`${sys.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ adminKey: sys.adminKey }),
    });
    if (r.status !== 200) throw new Error(`POST /api/session answered ${r.status}`);
    const value = (r.headers.get('set-cookie') ?? '').split(';')[0].split('=')[1];
    await context.addCookies([{ name: 'sb_session', value, url: sys.url, httpOnly: true, sameSite: 'Lax' }]);
  }
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (r.status() < 400) return;
    if (r.status() === 401 && url.pathname === '/api/session') return;
    if (opts.expected?.(r.status(), url)) return;
    pageErrors.push(`${r.status()} ${r.url()}`);
  });
  return {
    browser,
    context,
    page,
    pageErrors,
    shot: (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }).then(() => undefined),
    close: () => {
      open.delete(browser);
      return browser.close();
    },
  };
}

/** A phone-sized context (390×844, touch) with the same signed-in session as `context`. */
export async function phoneContext(browser: Browser, context: BrowserContext, baseURL: string, colorScheme?: 'light' | 'dark'): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    colorScheme,
    storageState: await context.storageState(),
  });
}

/** Whether the page fits its viewport's width: wide tables scroll inside their own box, never the page. */
export const fitsWidth = (page: Page): Promise<boolean> => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1');
