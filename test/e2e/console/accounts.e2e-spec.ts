import { Secret, TOTP } from 'otpauth';
import { adminClient, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(120_000);

/** Accounts in the console (Chromium): password sign-in with the TOTP step, a `user`'s self-service pages, en + zh. */
describe('console accounts (standalone)', () => {
  let sys: System;
  let cb: ConsoleBrowser;

  beforeAll(async () => {
    sys = await startStandalone({ ROOT_USERNAME: 'rita', ROOT_PASSWORD: 'root-password-123' });
    const r = await adminClient(sys.url, sys.adminKey).post('/api/users', { name: 'ursula', password: 'ursula-password-1', balance: 3 });
    expect(r.status).toBe(201);
    cb = await openConsole(sys, { signedIn: false });
  });
  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
  });

  const signInWithPassword = async (username: string, password: string) => {
    const { page } = cb;
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('a user signs in with its password and lands on its own account, with no admin page in reach', async () => {
    const { page } = cb;
    await page.goto('/channels');
    await signInWithPassword('ursula', 'ursula-password-1');
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');
    await expect(page.getByTestId('account-role').textContent()).resolves.toBe('ursula · user');
    await expect(page.getByTestId('account-balance').textContent()).resolves.toBe('$3.00');
    await expect(page.getByTestId('usage-requests').textContent()).resolves.toBe('0');
    const nav = await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link').allTextContents();
    expect(nav).toEqual(['My account']);
    // A shared admin link lands on the account too, not on a page of 403s.
    await page.goto('/users');
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');
    await cb.shot('account-overview-light');
  });

  it('creates its own token (the key shown once) and sees only its own', async () => {
    const { page } = cb;
    await page.getByRole('tab', { name: 'My tokens' }).click();
    expect(new URL(page.url()).pathname).toBe('/account/tokens');
    await expect(page.getByTestId('token-count').textContent()).resolves.toBe('0 of 10 tokens');
    await page.getByLabel('Name').fill('laptop');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByTestId('new-token-key').textContent()).resolves.toMatch(/^sk-/);
    await page.getByTestId('my-tokens').getByText('laptop').waitFor();
    await page.getByTestId('token-count').filter({ hasText: '1 of 10 tokens' }).waitFor();
    await page.getByRole('tab', { name: 'My logs' }).click();
    await page.getByText('No requests yet').waitFor();
  });

  it('sets up 2FA from a QR code, gets backup codes once, and the next sign-in asks for a code', async () => {
    const { page, context } = cb;
    await page.getByRole('tab', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    const secret = (await page.getByTestId('totp-secret').textContent())!;
    const totp = new TOTP({ issuer: 'Switchboard', label: 'ursula', algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
    const now = Date.now();
    await page.getByLabel('Code').fill(totp.generate({ timestamp: now }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('backup-codes').waitFor();
    const codes = (await page.getByTestId('backup-codes').locator('code').allTextContents()).filter((c) => /^[A-Z2-9]{5}-[A-Z2-9]{5}$/.test(c));
    expect(codes).toHaveLength(8);
    // The state line follows once /api/me is read again.
    await page
      .getByTestId('two-factor-state')
      .filter({ hasText: /^On: .*8 backup codes left/ })
      .waitFor();
    await cb.shot('account-2fa-backup-codes-light');
    await page.getByRole('button', { name: 'I have saved them' }).click();

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signInWithPassword('ursula', 'ursula-password-1');
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    expect((await context.cookies()).find((c) => c.name === 'sb_session' && c.value)).toBeUndefined();
    await code.fill(codes[0]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    await page.getByRole('tab', { name: 'Security' }).click();
    await page
      .getByTestId('two-factor-state')
      .filter({ hasText: /7 backup codes left/ })
      .waitFor();
  });

  it('speaks Chinese too', async () => {
    const { page } = cb;
    await page.getByText('中文').click();
    await page.getByRole('heading', { name: '我的账户' }).waitFor();
    await page.getByRole('tab', { name: '我的令牌' }).waitFor();
    await cb.shot('account-security-zh');
    await page.getByText('EN', { exact: true }).click();
  });

  it('an admin signed in with its password sees the admin pages and its own account', async () => {
    const { page } = cb;
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signInWithPassword('rita', 'root-password-123');
    // Signed out on /account, signed in there again: an admin has its own account too.
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe('rita');
    const nav = await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link').allTextContents();
    expect(nav).toEqual(expect.arrayContaining(['Dashboard', 'Users', 'My account']));
    await page.getByRole('link', { name: 'Users' }).click();
    await expect(page.getByTestId('user-rita').getByTestId('user-role').textContent()).resolves.toBe('Root');
    await expect(page.getByTestId('user-ursula').getByText('2FA', { exact: true }).count()).resolves.toBe(1);
    await page.getByRole('link', { name: 'My account' }).click();
    await page.getByRole('tab', { name: 'Security' }).click();
    await page.getByTestId('theme-toggle').click();
    await cb.shot('account-security-dark');
    await page.getByTestId('theme-toggle').click();
    expect(cb.pageErrors).toEqual([]);
  });
});
