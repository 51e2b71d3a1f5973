import type { Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { adminClient, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(120_000);

/**
 * The account's Security tab (Chromium): a user changes its password (the 2FA code asked when 2FA is on), which signs
 * out its session in a second browser while this one carries on; "Sign out everywhere" ends both. en + zh.
 */
describe('console account security (standalone)', () => {
  let sys: System;
  let cb: ConsoleBrowser;
  let other: Page;

  beforeAll(async () => {
    sys = await startStandalone({ ROOT_USERNAME: 'rita', ROOT_PASSWORD: 'root-password-123' });
    const admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/users', { name: 'paula', password: 'paula-password-1' })).status).toBe(201);
    expect((await admin.post('/api/users', { name: 'tara', password: 'tara-password-1' })).status).toBe(201);
    // Refusals the tests provoke: wrong current passwords and codes (400), the ended sessions' reads (401).
    cb = await openConsole(sys, { signedIn: false, expected: (status, u) => (status === 400 && u.pathname === '/api/me/password') || status === 401 });
    other = await (await cb.browser.newContext({ baseURL: sys.url, viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage();
  });
  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
  });

  const signIn = async (page: Page, username: string, password: string, code?: string) => {
    await page.goto('/account/security');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    if (code !== undefined) {
      await page.getByLabel('Authentication code').fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
    }
  };
  /** The sign-in form is back: the page's session has ended. */
  const signedOut = (page: Page) => page.getByLabel('Username').waitFor();

  it('changes the password: clear errors first; then the old one fails, the new one signs in, the other browser is signed out', async () => {
    const { page } = cb;
    await signIn(page, 'paula', 'paula-password-1');
    await signIn(other, 'paula', 'paula-password-1');
    await other.getByRole('heading', { name: 'Password' }).waitFor();
    await page.getByRole('heading', { name: 'Password' }).waitFor();
    // No 2FA: no code field.
    expect(await page.getByLabel('Two-factor code').count()).toBe(0);

    const fill = async (current: string, next: string, repeat = next) => {
      await page.getByLabel(/^Current password/).fill(current);
      await page.getByLabel(/^New password/).fill(next);
      await page.getByLabel(/^Repeat the new password/).fill(repeat);
      await page.getByRole('button', { name: 'Change password' }).click();
    };
    await fill('paula-password-1', 'paula-password-2', 'paula-password-3');
    await page.getByTestId('password-error').filter({ hasText: 'The two new passwords differ.' }).waitFor();
    await fill('not-her-password', 'paula-password-2');
    await page.getByTestId('password-error').filter({ hasText: 'The current password is wrong.' }).waitFor();
    await cb.shot('account-password-error-light');
    await fill('paula-password-1', 'paula-password-2');
    await page.getByTestId('password-changed').waitFor();
    expect(await page.getByTestId('password-error').count()).toBe(0);
    await cb.shot('account-password-changed-light');

    // This browser carries on under its new session (a reload too); the other one is back at sign-in.
    await page.reload();
    await page.getByRole('heading', { name: 'Password' }).waitFor();
    await other.reload();
    await signedOut(other);
    await other.getByLabel('Username').fill('paula');
    await other.getByLabel('Password').fill('paula-password-1');
    await other.getByRole('button', { name: 'Sign in', exact: true }).click();
    await other.getByText('Invalid username or password.').waitFor();
    await signIn(other, 'paula', 'paula-password-2');
    await other.getByRole('heading', { name: 'My account' }).waitFor();
  });

  it('"Sign out everywhere" asks first, then ends this session and the other browser’s', async () => {
    const { page } = cb;
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
    await dialog.waitFor();
    await cb.shot('account-sign-out-everywhere-light');
    // Cancel keeps everything as it was.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByTestId('confirm-sign-out-everywhere').click();
    await signedOut(page);
    expect((await cb.context.cookies()).find((c) => c.name === 'sb_session' && c.value)).toBeUndefined();
    await other.reload();
    await signedOut(other);
    // The password still works: only the sessions ended.
    await signIn(page, 'paula', 'paula-password-2');
    await page.getByRole('heading', { name: 'Password' }).waitFor();
  });

  it('with 2FA on, the form asks for the code as well and refuses a wrong one', async () => {
    // tara turns 2FA on through the API (the accounts spec drives that in the browser).
    const started = await fetch(`${sys.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'tara', password: 'tara-password-1' }),
    });
    const as = { cookie: started.headers.getSetCookie()[0].split(';')[0], 'x-csrf-token': ((await started.json()) as { csrfToken: string }).csrfToken };
    const post = async (p: string, body: unknown) =>
      (await fetch(sys.url + p, { method: 'POST', headers: { ...as, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<
        Record<string, any>
      >;
    const { secret } = await post('/api/me/2fa/setup', {});
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret as string) });
    const { backupCodes } = (await post('/api/me/2fa/enable', { code: totp.generate() })) as { backupCodes: string[] };

    const { page } = cb;
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signIn(page, 'tara', 'tara-password-1', backupCodes[0]);
    await page.getByLabel('Two-factor code').waitFor();
    await page.getByLabel(/^Current password/).fill('tara-password-1');
    await page.getByLabel(/^New password/).fill('tara-password-2');
    await page.getByLabel(/^Repeat the new password/).fill('tara-password-2');
    await page.getByLabel('Two-factor code').fill('AAAAA-AAAAA');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('password-error').filter({ hasText: 'The two-factor code is invalid or already used.' }).waitFor();
    await page.getByLabel('Two-factor code').fill(backupCodes[1]);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('password-changed').waitFor();
  });

  it('speaks Chinese too', async () => {
    const { page } = cb;
    await page.getByText('中文').click();
    await page.getByRole('button', { name: '修改密码' }).waitFor();
    await page.getByLabel(/^两步验证码/).waitFor();
    await cb.shot('account-security-password-zh');
    await page.getByRole('button', { name: '退出所有会话' }).click();
    await page.getByRole('dialog', { name: '退出所有会话？' }).waitFor();
    await page.getByRole('button', { name: '取消' }).click();
    await page.getByText('EN', { exact: true }).click();
    expect(cb.pageErrors).toEqual([]);
  });
});
