import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import {
  shareUndiciDispatcherWithJest,
  startAzureFake,
  startFakeBedrock,
  startFakeKiro,
  startFakeVertex,
  startMockUpstream,
  type AzureFake,
  type FakeBedrock,
  type FakeKiro,
  type FakeVertex,
  type MockUpstream,
} from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { openConsole, type ConsoleBrowser } from './console-browser';

jest.setTimeout(180_000);

/** A field's label exactly, with or without the required asterisk Mantine appends. */
const exactly = (label: string) => new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`);

const AWS = { accessKeyId: 'AKIAFAKECONSOLE00001', secretAccessKey: 'fakeSecretKey/console+abcdefghijklmnopq' };
const LLAMA = 'us.meta.llama3-3-70b-instruct-v1:0';
const PROJECT = 'console-project';
const KIRO_ARN = 'arn:aws:codewhisperer:us-east-1:123456789012:profile/CONSOLE';
const KIRO_RT = 'rt-console-account';
const AZURE_KEY = 'az-console-key-0001';

interface Created {
  id: number;
  type: string;
  baseUrl: string;
  config: Record<string, unknown>;
  keys: string[];
  models: string[];
}

/**
 * Issue 15 through the console: each new channel type (bedrock, vertex, kiro, cohere, azure) added from the Channels
 * page's create form as an admin would (its type's settings, its credential pasted or picked as a file), then reached
 * by an official SDK speaking another protocol than the upstream's, against the same faithful fakes as the provider
 * e2e; and a Kiro key's credits (used / limit / reset) in the key pool panel.
 */
describe('console: bedrock, vertex, kiro, cohere and azure channels from the create form (standalone)', () => {
  let bedrock: FakeBedrock;
  let vertex: FakeVertex;
  let kiro: FakeKiro;
  let azure: AzureFake;
  let cohere: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let cb: ConsoleBrowser;
  let page: Page;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let genai: GoogleGenAI;
  let serviceAccount: string;
  const made: Record<string, Created> = {};

  const dialog = () => page.getByRole('dialog', { name: 'Create a channel' });

  /** Fills the create form; `keyFile` goes through the form's file input, `keys` is pasted. Returns before "Create". */
  const fillForm = async (c: {
    name: string;
    type: string;
    baseUrl: string;
    config?: Record<string, string>;
    keys?: string;
    keyFile?: { name: string; body: string };
    models: string;
  }) => {
    await page.getByRole('button', { name: 'New channel' }).click();
    const d = dialog();
    await d.getByLabel(exactly('Name')).fill(c.name);
    await d.getByLabel(exactly('Type')).click();
    await page.getByRole('option', { name: c.type, exact: true }).click();
    await d.getByLabel(exactly('Base URL')).fill(c.baseUrl);
    for (const [field, value] of Object.entries(c.config ?? {})) await d.getByLabel(exactly(field)).fill(value);
    if (c.keys) await d.getByLabel(exactly('API keys')).fill(c.keys);
    if (c.keyFile) {
      await d.locator('input[type="file"]').setInputFiles({ name: c.keyFile.name, mimeType: 'application/json', buffer: Buffer.from(c.keyFile.body) });
      // read asynchronously: the credential lands in the keys box as one line of JSON
      const one = JSON.stringify(JSON.parse(c.keyFile.body));
      await eventually(async () => (await d.getByLabel(exactly('API keys')).inputValue()) === one, 5_000, 'the key file read');
    }
    await d.getByLabel(exactly('Models')).fill(c.models);
  };
  const submit = async (name: string) => {
    await dialog().getByRole('button', { name: 'Create' }).click();
    await dialog().waitFor({ state: 'detached' });
    await page.getByTestId(`channel-${name}`).waitFor();
    const list = await admin.get<{ data: { id: number; name: string }[] }>('/api/channels');
    const id = list.body.data.find((c) => c.name === name)!.id;
    made[name] = (await admin.get<Created>(`/api/channels/${id}`)).body;
    return made[name];
  };
  const routable = (model: string) =>
    eventually(async () => (await openai.models.retrieve(model).catch(() => null)) !== null || undefined, 10_000, `${model} routable`);

  beforeAll(async () => {
    shareUndiciDispatcherWithJest();
    [bedrock, vertex, kiro, azure, cohere] = await Promise.all([
      startFakeBedrock({ region: 'eu-west-3', credentials: [AWS] }),
      startFakeVertex({ projects: [PROJECT], locations: ['europe-west4'] }),
      startFakeKiro(),
      startAzureFake({ apiKeys: [AZURE_KEY] }),
      startMockUpstream(),
    ]);
    kiro.addAccount({
      refreshToken: KIRO_RT,
      profileArn: KIRO_ARN,
      usage: {
        nextDateReset: 1788220800,
        usageBreakdownList: [
          {
            resourceType: 'CREDIT',
            currentUsageWithPrecision: 37.25,
            usageLimitWithPrecision: 50,
            nextDateReset: 1788220800,
            freeTrialInfo: { currentUsageWithPrecision: 10, usageLimitWithPrecision: 500, freeTrialStatus: 'ACTIVE' },
          },
        ],
      },
    });
    serviceAccount = vertex.serviceAccount();
    sys = await startStandalone({
      // no probes or periodic reads: the fakes' request lists then hold only what the tests sent
      CHANNEL_CHECK_INTERVAL_MS: '0',
      KEY_ALLOWANCE_REFRESH_INTERVAL_MS: '0',
      UNPRICED_MODEL_POLICY: 'free',
    });
    admin = adminClient(sys.url, sys.adminKey);
    const key = String((await admin.post('/api/tokens', { name: 'console-providers' })).body.key);
    openai = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: key, baseURL: sys.url, maxRetries: 0 });
    genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sys.url, apiVersion: 'v1beta' } });
    cb = await openConsole(sys);
    page = cb.page;
    page.setDefaultTimeout(10_000);
    await page.goto('/channels');
    await page.getByTestId('channels-empty').waitFor();
  });

  afterAll(async () => {
    await cb?.close();
    await sys?.stop();
    await Promise.all([bedrock?.close(), vertex?.close(), kiro?.close(), azure?.close(), cohere?.close()]);
  });

  it('bedrock: region and an access key pair in the form; an Anthropic SDK stream reaches Converse signed with SigV4', async () => {
    await fillForm({
      name: 'console-bedrock',
      type: 'bedrock',
      baseUrl: bedrock.url,
      config: { region: 'eu-west-3' },
      keys: `${AWS.accessKeyId}:${AWS.secretAccessKey}`,
      models: LLAMA,
    });
    await cb.shot('channels-create-bedrock-light');
    const c = await submit('console-bedrock');
    expect([c.type, c.baseUrl, c.config, c.keys]).toEqual(['bedrock', bedrock.url, { region: 'eu-west-3' }, ['AKI…nopq']]);
    await routable(LLAMA);

    const stream = anthropic.messages.stream({ model: LLAMA, max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] });
    const text: string[] = [];
    stream.on('text', (t) => text.push(t));
    const final = await stream.finalMessage();
    expect([text.join(''), final.stop_reason]).toEqual(['Hello from Bedrock.', 'end_turn']);
    expect(text.length).toBeGreaterThan(1);
    // the fake answers only a request whose SigV4 signature it recomputed from the secret (region eu-west-3, bedrock)
    expect(bedrock.requests.map((r) => [r.action, r.auth, r.key, r.rawPath])).toEqual([
      ['converse-stream', 'sigv4', AWS.accessKeyId, '/model/us.meta.llama3-3-70b-instruct-v1%3A0/converse-stream'],
    ]);
    expect(bedrock.requests[0].headers['authorization']).toMatch(/Credential=AKIAFAKECONSOLE00001\/\d{8}\/eu-west-3\/bedrock\/aws4_request/);
    expect(bedrock.requests[0].body).toMatchObject({ messages: [{ role: 'user', content: [{ text: 'Hello' }] }], inferenceConfig: { maxTokens: 64 } });
  });

  it('vertex: project and location in the form, the service-account key file picked as a .json; an OpenAI SDK stream reaches Gemini with a minted token', async () => {
    await fillForm({
      name: 'console-vertex',
      type: 'vertex',
      baseUrl: vertex.url,
      config: { project: PROJECT, location: 'europe-west4' },
      keyFile: { name: `${PROJECT}-0123456789ab.json`, body: serviceAccount },
      models: 'gemini-2.5-flash',
    });
    await cb.shot('channels-create-vertex-light');
    const c = await submit('console-vertex');
    const email = (JSON.parse(serviceAccount) as { client_email: string }).client_email;
    // the key reads as the account it is (its email), not as the start and end of a JSON text every account shares
    expect([c.type, c.config, c.keys]).toEqual(['vertex', { project: PROJECT, location: 'europe-west4' }, [`{"client_email":"${email}"}`]]);
    await routable('gemini-2.5-flash');

    const stream = await openai.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    // the fake accepts only tokens it minted for an assertion signed with the account's key
    expect(vertex.requests.map((r) => [r.path, r.account, r.status])).toEqual([
      [`/v1/projects/${PROJECT}/locations/europe-west4/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, email, 200],
    ]);
    expect(vertex.tokenRequests.map((t) => [t.status, t.claims?.['iss']])).toEqual([[200, email]]);
  });

  it('kiro: the account’s JSON credential pasted, refresh and usage URLs in the form; a Gemini SDK stream reaches generateAssistantResponse', async () => {
    const credential = JSON.stringify({ refreshToken: KIRO_RT, authMethod: 'social', region: 'us-east-1' }, null, 2);
    await fillForm({
      name: 'console-kiro',
      type: 'kiro',
      baseUrl: kiro.url,
      config: { refreshUrl: kiro.socialRefreshUrl, usageUrl: kiro.usageUrl },
      keys: credential,
      models: 'claude-sonnet-4-5',
    });
    await cb.shot('channels-create-kiro-light');
    const c = await submit('console-kiro');
    expect([c.type, c.config, c.keys]).toEqual(['kiro', { refreshUrl: kiro.socialRefreshUrl, usageUrl: kiro.usageUrl }, ['{"refreshToken":"rt-…ount"}']]);
    await routable('claude-sonnet-4-5');

    let text = '';
    for await (const chunk of await genai.models.generateContentStream({ model: 'claude-sonnet-4-5', contents: 'Bonjour' })) text += chunk.text ?? '';
    expect(text).toBe('Hello from Kiro. You said: Bonjour');
    expect(kiro.refreshes(KIRO_RT)).toBe(1);
    expect(kiro.rejections).toEqual([]);
    expect(kiro.requests.at(-1)!.body).toMatchObject({
      profileArn: KIRO_ARN,
      conversationState: { currentMessage: { userInputMessage: { modelId: 'claude-sonnet-4.5', content: 'Bonjour' } } },
    });
  });

  it('kiro: the key pool panel shows the account’s credits (used of limit, reset) after "Refresh usage"', async () => {
    await page.getByTestId('channel-console-kiro').getByRole('button', { name: 'Edit' }).click();
    const drawer = page.getByRole('dialog', { name: /^Channel / });
    await drawer.getByRole('tab', { name: 'Keys (1)' }).click();
    const [k] = (await admin.get<{ data: { id: number }[] }>(`/api/channels/${made['console-kiro'].id}/keys`)).body.data;
    const usage = drawer.getByTestId(`key-usage-${k.id}`);
    expect(await usage.textContent()).toBe('—');
    await drawer.getByRole('button', { name: 'Refresh usage' }).click();
    // main bucket + the active free trial: 47.25 of 550 credits; the reset day in the browser's zone (this process's)
    await usage.getByText('47.25 of 550').waitFor();
    const day = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date(1788220800 * 1000));
    expect(await usage.textContent()).toMatch(new RegExp(`^47\\.25 of 550resets ${day}, `));
    await drawer.getByTestId(`key-${k.id}`).getByText(/^ok$/i).waitFor();
    await drawer.getByTestId(`key-${k.id}`).getByText('{"refreshToken":"rt-…ount"}').waitFor();
    await cb.shot('channels-kiro-usage-light');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('cohere: the API key pasted; a Gemini SDK call reaches Cohere Chat v2', async () => {
    await fillForm({ name: 'console-cohere', type: 'cohere', baseUrl: cohere.url, keys: 'co-console-key-0001', models: 'command-a-03-2025' });
    const c = await submit('console-cohere');
    expect([c.type, c.baseUrl, c.keys]).toEqual(['cohere', cohere.url, ['co-…0001']]);
    await routable('command-a-03-2025');

    const r = await genai.models.generateContent({ model: 'command-a-03-2025', contents: 'Bonjour à tous', config: { systemInstruction: 'terse' } });
    expect(r.text).toBe('Echo: Bonjour à tous');
    const calls = cohere.requests.filter((q) => q.path === '/v2/chat');
    expect(calls).toHaveLength(1);
    expect([calls[0].headers.authorization, calls[0].body]).toEqual([
      'Bearer co-console-key-0001',
      expect.objectContaining({
        model: 'command-a-03-2025',
        messages: [
          { role: 'system', content: 'terse' },
          { role: 'user', content: 'Bonjour à tous' },
        ],
      }),
    ]);
  });

  it('azure: the resource URL, apiVersion v1 and an api-key in the form; an Anthropic SDK stream reaches /openai/v1 with the deployment', async () => {
    await fillForm({
      name: 'console-azure',
      type: 'azure',
      baseUrl: azure.url,
      config: { apiVersion: 'v1' },
      keys: AZURE_KEY,
      models: 'gpt-4o-console',
    });
    await cb.shot('channels-create-azure-light');
    const c = await submit('console-azure');
    expect([c.type, c.config]).toEqual(['azure', { apiVersion: 'v1' }]);
    await routable('gpt-4o-console');

    const stream = anthropic.messages.stream({ model: 'gpt-4o-console', max_tokens: 32, messages: [{ role: 'user', content: 'Hej' }] });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Echo: Hej' });
    expect(azure.requests.map((r) => [r.path, r.style, r.deployment, r.auth])).toEqual([
      ['/openai/v1/chat/completions', 'v1', 'gpt-4o-console', { kind: 'api-key', value: AZURE_KEY }],
    ]);
    expect(azure.requests[0].body).toMatchObject({ model: 'gpt-4o-console', stream: true, messages: [{ role: 'user', content: 'Hej' }] });
  });

  it('raised no page error', () => {
    expect(cb.pageErrors).toEqual([]);
  });
});
