import type { CDPSession } from 'playwright-core';
import { startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(120_000);

/**
 * Passkeys in the console (Chromium with its virtual authenticator over CDP): a signed-in user adds one on its
 * Security tab, then signs in with it — no username, no password. WebAuthn needs a domain, so the page is on localhost.
 */
describe('console passkeys (standalone)', () => {
  let sys: System;
  let cb: ConsoleBrowser;
  let cdp: CDPSession;
  let authenticatorId: string;

  beforeAll(async () => {
    sys = await startStandalone({ ROOT_USERNAME: 'rita', ROOT_PASSWORD: 'root-password-123' });
    cb = await openConsole({ ...sys, url: sys.url.replace('127.0.0.1', 'localhost') }, { signedIn: false });
    cdp = await cb.context.newCDPSession(cb.page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  });
  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
  });

  it('adds a passkey on the account page, then signs in with it alone', async () => {
    const { page, context } = cb;
    await page.goto('/account/security');
    await page.getByLabel('Username').fill('rita');
    await page.getByLabel('Password').fill('root-password-123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
    await page.getByText('No passkeys yet.').waitFor();
    await page.getByLabel('Passkey name').fill('chromium');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByTestId('my-passkeys').getByText('chromium').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toEqual([expect.objectContaining({ rpId: 'localhost', isResidentCredential: true })]);
    await cb.shot('account-passkeys-light');

    // signed out (the cookie gone), the sign-in page offers the passkey
    await context.clearCookies();
    await page.goto('/');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('navigation', { name: 'Console pages' }).waitFor();
    const who = await page.evaluate(async () => (await (await fetch('/api/session')).json()) as { user?: { name: string } });
    expect(who.user?.name).toBe('rita');
    expect(cb.pageErrors).toEqual([]);
  });
});
