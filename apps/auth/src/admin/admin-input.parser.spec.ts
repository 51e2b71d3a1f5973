import { CreateGroup, CreateToken, CreateUser, DomainError, UpdateToken } from '@switchboard/contracts';
import { parseInput } from './admin-input.parser';

const fails = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a failure');
};

describe('admin input', () => {
  it('names the field first in every message', () => {
    expect(fails(() => parseInput(CreateToken, { rpm: '5' })).message).toMatch(/^rpm: /);
    expect(fails(() => parseInput(CreateToken, { allowIps: ['1.2.3.4', '1.2.3.4/33'] })).message).toBe('allowIps.1: "1.2.3.4/33" has an invalid prefix length');
    expect(fails(() => parseInput(CreateToken, { quota: -1 })).message).toBe('quota: must not be negative');
    expect(fails(() => parseInput(CreateToken, { colour: 'x' })).message).toBe('colour: unknown field');
    expect(fails(() => parseInput(UpdateToken, { usedQuota: 1 })).message).toBe('usedQuota: is read-only');
    expect(fails(() => parseInput(CreateUser, null)).message).toMatch(/^body: /);
    expect(fails(() => parseInput(CreateGroup, { name: 'a b' })).message).toMatch(/^name: /);
    const e = fails(() => parseInput(CreateToken, { rpm: -1 }));
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ status: 400, details: { field: 'rpm' } });
  });

  it('fills SPEC defaults and keeps every accepted value storable', () => {
    expect(parseInput(CreateUser, { name: ' u ' })).toEqual({
      name: 'u',
      role: 'user',
      maxTokens: null,
      group: 'default',
      balance: 0,
      status: 'active',
      rpm: null,
      tpm: null,
      maxConcurrency: null,
      budget: null,
    });
    expect(fails(() => parseInput(CreateUser, { name: 'u', rpm: -1 })).message).toMatch(/^rpm: /);
    expect(parseInput(CreateToken, {})).toMatchObject({ quota: null, models: null, allowIps: [], expiresAt: null, rpm: null, status: 'active' });
    expect(fails(() => parseInput(CreateToken, { tpm: 2 ** 31 })).message).toMatch(/^tpm: /);
    expect(fails(() => parseInput(CreateToken, { quota: 1e10 })).message).toMatch(/^quota: /);
    expect(fails(() => parseInput(CreateToken, { expiresAt: '2030-01-01' })).message).toMatch(/^expiresAt: /);
    expect(parseInput(CreateToken, { expiresAt: '2030-01-01T00:00:00+02:00' }).expiresAt).toBe('2030-01-01T00:00:00+02:00');
  });
});
