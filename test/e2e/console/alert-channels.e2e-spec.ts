import { startHookReceiver, verifySignature } from '../../support/alert-receivers';
import { eventually, startStandalone, type System } from '../../support/harness';
import { fitsWidth, openConsole, phoneContext, type ConsoleBrowser } from './console-browser';

jest.setTimeout(120_000);

/** Settings → Alerts: add a webhook channel (its secret shown once), send a test alert, rotate its secret, edit, delete; in Chinese too. */
describe('alert channels in the console (standalone)', () => {
  let sys: System;
  let cb: ConsoleBrowser;
  let hooks: Awaited<ReturnType<typeof startHookReceiver>>;

  beforeAll(async () => {
    hooks = await startHookReceiver();
    sys = await startStandalone();
    cb = await openConsole(sys, { expected: (status, url) => status === 400 && url.pathname === '/api/alert-channels' });
  });
  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await hooks?.close();
  });

  it('adds a webhook channel, shows its secret once, delivers a signed test alert, rotates the secret, edits and deletes it', async () => {
    const { page } = cb;
    await page.goto('/settings');
    const panel = page.getByTestId('alert-channels');
    await panel.getByText('No alert channels yet').waitFor();
    await panel.getByRole('button', { name: 'Add alert channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add alert channel' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('on-call hook');
    await dialog.getByRole('textbox', { name: 'Webhook URL' }).fill('not a url');
    await dialog.getByRole('checkbox', { name: 'Error rate high' }).check();
    await dialog.getByRole('button', { name: 'Add' }).click();
    await dialog.getByRole('alert').getByText('target: must be an http(s) URL').waitFor();
    await dialog.getByRole('textbox', { name: 'Webhook URL' }).fill(`${hooks.url}/console-hook`);
    await dialog.getByRole('button', { name: 'Add' }).click();

    const secretDialog = page.getByRole('dialog', { name: 'Webhook signing secret' });
    const secret = (await secretDialog.getByTestId('alert-secret').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await cb.shot('settings-alert-secret');
    await secretDialog.getByRole('button', { name: 'Done' }).click();
    await secretDialog.waitFor({ state: 'hidden' });

    const row = panel.locator('[data-testid^="alert-channel-"]').filter({ hasText: 'on-call hook' });
    await row.getByText('Error rate high').waitFor();
    await row.getByText('Balance low').waitFor();
    expect(await page.content()).not.toContain(secret);
    await row.getByRole('button', { name: 'Send test' }).click();
    await row.getByText('Test alert delivered').waitFor();
    const hook = hooks.hooks.find((h) => h.path === '/console-hook')!;
    expect(verifySignature(secret, hook.headers['switchboard-signature'] as string, hook.body)).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({ event: 'balance_low', subject: 'test', test: true });
    await row.getByText('delivered', { exact: true }).waitFor();
    await cb.shot('settings-alert-channels');

    // Rotate the secret: the new one shown once (with its copy button); both sign the next alert during the grace period.
    await row.getByRole('button', { name: 'Rotate secret' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate signing secret' });
    await rotate.getByText('Give "on-call hook" a new signing secret?', { exact: false }).waitFor();
    await rotate.getByRole('button', { name: 'Rotate secret' }).click();
    const fresh = page.getByRole('dialog', { name: 'New webhook signing secret' });
    const rotated = (await fresh.getByTestId('alert-secret').textContent())!.trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await fresh.getByTestId('alert-secret-grace').getByText('The previous secret keeps signing alerts beside this one until', { exact: false }).waitFor();
    await fresh.getByRole('button', { name: 'Copy' }).waitFor();
    await cb.shot('settings-alert-secret-rotated');
    await fresh.getByRole('button', { name: 'Done' }).click();
    await fresh.waitFor({ state: 'hidden' });
    await row.getByText('previous secret signs until', { exact: false }).waitFor();
    expect(await page.content()).not.toContain(rotated);
    const before = hooks.hooks.filter((h) => h.path === '/console-hook').length;
    await row.getByRole('button', { name: 'Send test' }).click();
    const after = await eventually(async () => hooks.hooks.filter((h) => h.path === '/console-hook')[before]);
    const header = after.headers['switchboard-signature'] as string;
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect([verifySignature(rotated, header, after.body), verifySignature(secret, header, after.body)]).toEqual([true, true]);

    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit alert channel' });
    await edit.getByRole('textbox', { name: 'Name' }).fill('night shift');
    await edit.getByRole('checkbox', { name: 'Balance low' }).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    const renamed = panel.locator('[data-testid^="alert-channel-"]').filter({ hasText: 'night shift' });
    await renamed.getByText('Error rate high').waitFor();
    await expect(renamed.getByText('Balance low').count()).resolves.toBe(0);

    await renamed.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete alert channel' });
    await confirm.getByText('Delete "night shift"?').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await panel.getByText('No alert channels yet').waitFor();
    expect(cb.pageErrors).toEqual([]);
  });

  it('reads in Chinese, and on a phone in the dark theme', async () => {
    const admin = { authorization: `Bearer ${sys.adminKey}`, 'content-type': 'application/json' };
    await fetch(`${sys.url}/api/alert-channels`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ type: 'email', target: 'ops@example.com', events: ['channel_down'] }),
    });
    const zh = await openConsole(sys, { locale: 'zh-CN' });
    try {
      await zh.page.goto('/settings');
      const panel = zh.page.getByTestId('alert-channels');
      await panel.getByRole('heading', { name: '告警渠道' }).waitFor();
      await panel.getByText('渠道不可用').waitFor();
      await panel.getByRole('button', { name: '发送测试' }).waitFor();
      await zh.shot('settings-alert-channels-zh');
    } finally {
      await zh.close();
    }
    const phone = await phoneContext(cb.browser, cb.context, sys.url, 'dark');
    const p = await phone.newPage();
    await p.goto('/settings');
    await p.getByTestId('alert-channels').getByText('ops@example.com').first().waitFor();
    expect(await fitsWidth(p)).toBe(true);
    await phone.close();
  });
});
