import { changedFields, formFromChannel, formToBody, type ChannelDetail } from './channel-form';

const channel: ChannelDetail = {
  id: 3,
  name: 'main',
  type: 'openai',
  baseUrl: 'https://api.openai.com',
  keys: ['sk-…0001'],
  models: ['gpt-4o'],
  status: 'enabled',
  enabled: true,
  priority: 1,
  weight: 2,
  errorRate: 0,
  responseTimeMs: null,
  bans: [],
  keyMode: 'random',
  modelMapping: { 'gpt-4o': 'gpt-4o-2024-08-06' },
  groups: ['default'],
  autoBan: true,
  headers: { 'APP-Code': 'APP…4567' },
  paramOverride: {},
  statusCodeMapping: { '404': 500 },
  testModel: null,
  tag: null,
  timeouts: { firstByteMs: 30000 },
};

describe('channel form', () => {
  it('round-trips a channel: the body equals what was read, so nothing changed means an empty update', () => {
    const f = formFromChannel(channel);
    expect(f.modelMapping).toEqual([{ key: 'gpt-4o', value: 'gpt-4o-2024-08-06' }]);
    expect(f.timeouts).toEqual({ connectMs: '', firstByteMs: 30000, idleMs: '' });
    const r = formToBody(f);
    if (r.errors) throw new Error('unexpected errors');
    expect(r.body).toMatchObject({ headers: { 'APP-Code': 'APP…4567' }, statusCodeMapping: { '404': 500 }, timeouts: { firstByteMs: 30000 }, testModel: null });
    expect(changedFields(r.body, r.body)).toEqual({});
  });

  it('declared endpoints: none is null (the type’s defaults); a choice is sent as the only change', () => {
    const f = formFromChannel({ ...channel, endpoints: null });
    expect(f.endpoints).toEqual([]);
    const before = formToBody(f);
    const after = formToBody({ ...f, endpoints: ['rerank'] });
    if (before.errors || after.errors) throw new Error('unexpected errors');
    expect(before.body.endpoints).toBeNull();
    expect(changedFields(before.body, after.body)).toEqual({ endpoints: ['rerank'] });
    const back = formToBody({ ...formFromChannel({ ...channel, endpoints: ['rerank'] }), endpoints: [] });
    expect(!back.errors && back.body.endpoints).toBeNull();
  });

  it('sends only the changed fields; empty optional values become null', () => {
    const f = formFromChannel(channel);
    const before = formToBody(f);
    const after = formToBody({ ...f, weight: 5, tag: '  ', testModel: ' gpt-4o ', timeouts: { connectMs: '', firstByteMs: '', idleMs: '' } });
    if (before.errors || after.errors) throw new Error('unexpected errors');
    expect(changedFields(before.body, after.body)).toEqual({ weight: 5, testModel: 'gpt-4o', timeouts: null });
  });

  it('names each field it cannot send: JSON syntax and shape, status mappings, duplicate or empty header names, URL, lists', () => {
    const f = formFromChannel(channel);
    const r = formToBody({
      ...f,
      name: ' ',
      baseUrl: 'api.openai.com',
      models: [],
      groups: [],
      paramOverride: '{"a": ',
      statusCodeMapping: '{"40": 500}',
      headers: [
        { key: 'X-A', value: '1' },
        { key: 'X-A', value: '2' },
      ],
      modelMapping: [{ key: '', value: 'x' }],
    });
    expect(r.errors).toEqual({
      name: { key: 'channels.form.required' },
      baseUrl: { key: 'channels.form.url' },
      models: { key: 'channels.form.modelsRequired' },
      groups: { key: 'channels.form.groupsRequired' },
      paramOverride: { key: 'channels.form.jsonInvalid', vars: { error: expect.any(String) } },
      statusCodeMapping: { key: 'channels.form.statusMapping', vars: { entry: '40' } },
      headers: { key: 'channels.form.kvDuplicate', vars: { name: 'X-A' } },
      modelMapping: { key: 'channels.form.kvEmptyName' },
    });
    expect(formToBody({ ...f, paramOverride: '[1]' }).errors).toEqual({ paramOverride: { key: 'channels.form.jsonObject' } });
    expect(formToBody({ ...f, statusCodeMapping: '{"429": 700}' }).errors).toEqual({
      statusCodeMapping: { key: 'channels.form.statusMapping', vars: { entry: '429' } },
    });
  });

  it('drops rows left entirely empty and clears JSON fields emptied', () => {
    const f = formFromChannel(channel);
    const r = formToBody({ ...f, headers: [{ key: ' ', value: '' }], statusCodeMapping: ' ' });
    if (r.errors) throw new Error('unexpected errors');
    expect(r.body).toMatchObject({ headers: {}, statusCodeMapping: {} });
  });
});
