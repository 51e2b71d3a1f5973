import type { Page } from 'playwright-core';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';
import { DOCS, QUERY, rerank } from '../endpoints/support/rerank';

jest.setTimeout(240_000);

/**
 * The channel drawer's "Endpoints beyond chat": an OpenAI-compatible reranker is refused rerank until the admin
 * declares it there, then served; clearing the field gives the type's defaults back. Both languages label it.
 */
describe('console: a channel’s declared endpoints (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let cb: ConsoleBrowser;
  let page: Page;
  let admin: ReturnType<typeof adminClient>;
  let key: string;
  let id: number;
  const drawer = () => page.getByRole('dialog', { name: /^Channel / });
  const endpoints = async () => (await admin.get<{ endpoints: string[] | null }>(`/api/channels/${id}`)).body.endpoints;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({ UNPRICED_MODEL_POLICY: 'free' });
    admin = adminClient(sys.url, sys.adminKey);
    const r = await admin.post('/api/channels', {
      name: 'ch-rerank',
      type: 'openai-compatible',
      baseUrl: mock.url,
      keys: ['sk-vllm-key-0001'],
      models: ['bge-reranker'],
    });
    expect(r.status).toBe(201);
    id = Number(r.body.id);
    key = String((await admin.post('/api/tokens', { name: 'console-endpoints' })).body.key);
    cb = await openConsole(sys);
    page = cb.page;
    page.setDefaultTimeout(10_000);
    await page.goto('/channels');
    await page.getByTestId('channel-ch-rerank').waitFor();
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await mock?.close();
  });

  it('declaring rerank in the drawer makes the channel serve it; clearing it restores the type’s defaults', async () => {
    expect((await rerank(sys.url, key, { model: 'bge-reranker', query: QUERY, documents: DOCS })).status).toBe(400);
    await page.getByTestId('channel-ch-rerank').getByRole('button', { name: 'Edit' }).click();
    const d = drawer();
    const field = d.getByRole('textbox', { name: 'Endpoints beyond chat' });
    await field.waitFor();
    await d.getByText(/Choose rerank here for an OpenAI-compatible reranker/).waitFor();
    expect(await field.getAttribute('placeholder')).toBe('The type’s defaults');
    await field.click();
    await page.getByRole('option', { name: 'rerank', exact: true }).click();
    await page.keyboard.press('Escape');
    await cb.shot('channels-drawer-endpoints');
    await d.getByRole('button', { name: 'Save changes' }).click();
    await eventually(async () => JSON.stringify(await endpoints()) === '["rerank"]', 5_000, 'endpoints saved');
    const served = await eventually(
      async () => {
        const r = await rerank(sys.url, key, { model: 'bge-reranker', query: QUERY, documents: DOCS });
        return r.status === 200 ? r : null;
      },
      5_000,
      'rerank served',
    );
    expect(served.body.results[0].index).toBe(1);

    // the audit shows the change
    const audit = await admin.get<{ data: { entity: string; after: { endpoints?: unknown } | null }[] }>('/api/audit?entity=channel');
    expect(audit.body.data.some((e) => JSON.stringify(e.after?.endpoints) === '["rerank"]')).toBe(true);

    await page.getByTestId('channel-ch-rerank').getByRole('button', { name: 'Edit' }).click();
    const again = drawer().getByRole('textbox', { name: 'Endpoints beyond chat' });
    await again.click();
    await again.press('Backspace'); // removes the last chosen value, as Mantine's MultiSelect does with an empty search
    await page.keyboard.press('Escape');
    await drawer().getByText('The type’s defaults').or(again).first().waitFor();
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await eventually(async () => (await endpoints()) === null, 5_000, 'endpoints cleared');
    expect(cb.pageErrors).toEqual([]);
  });

  it('is labelled in Chinese too', async () => {
    const zh = await openConsole(sys, { locale: 'zh-CN' });
    try {
      await zh.page.goto('/channels');
      await zh.page.getByTestId('channel-ch-rerank').getByRole('button').first().waitFor();
      await zh.page.getByTestId('channel-ch-rerank').getByRole('button', { name: '编辑' }).click();
      await zh.page.getByRole('textbox', { name: '聊天之外的端点' }).waitFor();
      await zh.shot('channels-drawer-endpoints-zh');
    } finally {
      await zh.close();
    }
  });
});
