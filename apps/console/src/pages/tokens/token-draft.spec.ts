import {
  draftToCreateBody,
  draftToUpdateBody,
  emptyTokenDraft,
  fieldOfError,
  isoToLocalInput,
  localInputToIso,
  numberOrNull,
  quotaPercent,
  tokenToDraft,
  type TokenView,
} from './token-draft';

// The unit tier runs with TZ=UTC, so the browser-zone conversions read as UTC here.
describe('token form ↔ API body', () => {
  it('an untouched form creates an unlimited, never-expiring token for every model, owned by the admin user', () => {
    expect(draftToCreateBody({ ...emptyTokenDraft, name: ' app ' })).toEqual({
      name: 'app',
      group: null,
      expiresAt: null,
      quota: null,
      models: null,
      allowIps: [],
      rpm: null,
      tpm: null,
      maxConcurrency: null,
      crossGroupRetry: false,
      budget: null,
      logBodies: false,
    });
  });

  it('sends every field that is filled, as the API names and types them', () => {
    const body = draftToCreateBody({
      ...emptyTokenDraft,
      name: 'ci',
      userId: '7',
      group: 'vip',
      neverExpires: false,
      expiresAt: '2031-02-03T04:05',
      unlimitedQuota: false,
      quota: 12.5,
      models: [' gpt-4o-mini ', '', 'claude-*'],
      allowIps: ['10.0.0.0/8 ', ' '],
      rpm: 60,
      tpm: '',
      maxConcurrency: 0,
      crossGroupRetry: true,
      budget: { enabled: true, amount: 30, period: 'week', softLimit: 25 },
      logBodies: false,
    });
    expect(body).toEqual({
      name: 'ci',
      userId: 7,
      group: 'vip',
      expiresAt: '2031-02-03T04:05:00.000Z',
      quota: 12.5,
      models: ['gpt-4o-mini', 'claude-*'],
      allowIps: ['10.0.0.0/8'],
      rpm: 60,
      tpm: null,
      maxConcurrency: 0,
      crossGroupRetry: true,
      budget: { amount: 30, period: 'week', softLimit: 25 },
      logBodies: false,
    });
  });

  it('keeps a negative quota as typed, so the API refuses it by name rather than the form hiding it', () => {
    expect(draftToCreateBody({ ...emptyTokenDraft, unlimitedQuota: false, quota: -1 }).quota).toBe(-1);
    // "unlimited" wins over a number left in the hidden input
    expect(draftToCreateBody({ ...emptyTokenDraft, unlimitedQuota: true, quota: 5 }).quota).toBeNull();
  });

  it('an update never carries userId (a token keeps its user) and reads back what tokenToDraft made of a token', () => {
    const t: TokenView = {
      id: 3,
      name: 'svc',
      userId: 9,
      group: null,
      key: 'sk-abcd…wxyz',
      expiresAt: '2030-01-01T10:30:00.000Z',
      quota: 4,
      usedQuota: 1.25,
      models: ['gpt-4o'],
      allowIps: ['127.0.0.1'],
      rpm: null,
      tpm: 1000,
      maxConcurrency: null,
      crossGroupRetry: false,
      budget: null,
      logBodies: false,
      status: 'active',
      createdAt: '2029-01-01T00:00:00.000Z',
      updatedAt: '2029-01-01T00:00:00.000Z',
    };
    const d = tokenToDraft(t);
    expect(d).toMatchObject({ userId: '9', neverExpires: false, expiresAt: '2030-01-01T10:30', unlimitedQuota: false, quota: 4, rpm: '', tpm: 1000 });
    expect(draftToUpdateBody(d)).toEqual({
      name: 'svc',
      group: null,
      expiresAt: '2030-01-01T10:30:00.000Z',
      quota: 4,
      models: ['gpt-4o'],
      allowIps: ['127.0.0.1'],
      rpm: null,
      tpm: 1000,
      maxConcurrency: null,
      crossGroupRetry: false,
      budget: null,
      logBodies: false,
    });
    expect(tokenToDraft({ ...t, models: null, quota: null, expiresAt: null })).toMatchObject({
      models: [],
      unlimitedQuota: true,
      quota: '',
      neverExpires: true,
      expiresAt: '',
    });
  });
});

describe('small conversions', () => {
  it('datetime-local ↔ ISO; an unreadable time is passed on for the API to name', () => {
    expect(isoToLocalInput(null)).toBe('');
    expect(isoToLocalInput('2030-12-31T23:59:00Z')).toBe('2030-12-31T23:59');
    expect(localInputToIso('2030-12-31T23:59')).toBe('2030-12-31T23:59:00.000Z');
    expect(localInputToIso('')).toBe('');
  });

  it('numbers from NumberInput: empty and partial input are "none"', () => {
    expect(numberOrNull('')).toBeNull();
    expect(numberOrNull('-')).toBeNull();
    expect(numberOrNull('12')).toBe(12);
    expect(numberOrNull(0)).toBe(0);
  });

  it('quota share for the progress bar', () => {
    expect(quotaPercent(1, null)).toBeNull();
    expect(quotaPercent(1, 4)).toBe(25);
    expect(quotaPercent(9, 4)).toBe(100);
    expect(quotaPercent(0, 0)).toBe(0);
    expect(quotaPercent(0.5, 0)).toBe(100);
  });

  it('finds the form field a 400 names', () => {
    expect(fieldOfError('quota: must not be negative')).toBe('quota');
    expect(fieldOfError('allowIps.1: not an IP or CIDR')).toBe('allowIps');
    expect(fieldOfError('userId: user 5 does not exist')).toBe('userId');
    expect(fieldOfError('body: invalid')).toBeNull();
    expect(fieldOfError('token not found')).toBeNull();
  });
});
