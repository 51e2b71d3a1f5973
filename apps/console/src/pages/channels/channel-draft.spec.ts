import { channelDraftToBody, emptyChannelDraft } from './channel-draft';

describe('channelDraftToBody', () => {
  it('splits keys per line and models on commas, trims, and omits an empty base URL (the type default applies)', () => {
    const body = channelDraftToBody({
      ...emptyChannelDraft,
      name: ' main ',
      keys: 'sk-1\r\n\n sk-2 \n',
      models: 'gpt-4o, gpt-4o-mini,,',
      priority: 2,
      weight: 3,
    });
    expect(body).toEqual({ name: 'main', type: 'openai', keys: ['sk-1', 'sk-2'], models: ['gpt-4o', 'gpt-4o-mini'], priority: 2, weight: 3 });
  });
  it('sends a base URL when one is typed', () => {
    expect(channelDraftToBody({ ...emptyChannelDraft, baseUrl: ' http://127.0.0.1:9/v1 ' })).toMatchObject({ baseUrl: 'http://127.0.0.1:9/v1' });
  });
  it('a vertex channel: the pasted service-account file is one key, project and location its settings', () => {
    const sa = '{\n  "type": "service_account",\n  "client_email": "svc@p.iam.gserviceaccount.com"\n}\n';
    expect(
      channelDraftToBody({
        ...emptyChannelDraft,
        name: 'v',
        type: 'vertex',
        keys: sa,
        models: 'gemini-2.5-pro',
        config: { project: ' p ', location: 'us-east5' },
      }),
    ).toMatchObject({ type: 'vertex', keys: [JSON.stringify(JSON.parse(sa))], config: { project: 'p', location: 'us-east5' } });
  });
});
