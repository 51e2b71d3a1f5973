import { changedFields, diffSnapshots, flatten, showValue } from './audit-diff';

describe('flatten', () => {
  it('dots nested objects, keeps arrays and empty objects as values', () => {
    expect([...flatten({ a: 1, t: { connectMs: 5, idle: { ms: 2 } }, m: ['x'], h: {} })]).toEqual([
      ['a', 1],
      ['t.connectMs', 5],
      ['t.idle.ms', 2],
      ['m', ['x']],
      ['h', {}],
    ]);
    expect(flatten(null).size).toBe(0);
  });
});

describe('diffSnapshots', () => {
  it('marks changed, same, added and removed fields of an update', () => {
    const before = { name: 'mock', priority: 0, models: ['a'], headers: { 'x-k': 'sk-…abcd' }, gone: true };
    const after = { name: 'mock', priority: 5, models: ['a', 'b'], headers: { 'x-k': 'sk-…abcd' }, extra: null };
    expect(diffSnapshots(before, after)).toEqual([
      { path: 'name', before: 'mock', after: 'mock', kind: 'same' },
      { path: 'priority', before: 0, after: 5, kind: 'changed' },
      { path: 'models', before: ['a'], after: ['a', 'b'], kind: 'changed' },
      { path: 'headers.x-k', before: 'sk-…abcd', after: 'sk-…abcd', kind: 'same' },
      { path: 'gone', before: true, after: undefined, kind: 'removed' },
      { path: 'extra', before: undefined, after: null, kind: 'added' },
    ]);
  });

  it('reads a create as all added and a delete as all removed', () => {
    expect(diffSnapshots(null, { id: 1, name: 'n' }).map((r) => r.kind)).toEqual(['added', 'added']);
    expect(diffSnapshots({ id: 1 }, undefined).map((r) => r.kind)).toEqual(['removed']);
  });

  it('compares objects inside arrays whatever their key order', () => {
    const before = { targets: [{ model: 'a', weight: 1 }] };
    const after = { targets: [{ weight: 1, model: 'a' }] };
    expect(diffSnapshots(before, after)[0]?.kind).toBe('same');
  });

  it('tells null from a missing field', () => {
    expect(diffSnapshots({ quota: null }, { quota: 0 })[0]?.kind).toBe('changed');
  });
});

describe('changedFields', () => {
  it('names what an update changed, without the updatedAt every update has', () => {
    expect(changedFields({ priority: 0, weight: 1, updatedAt: 'x' }, { priority: 3, weight: 1, updatedAt: 'y' })).toEqual(['priority']);
  });
});

describe('showValue', () => {
  it('shows strings bare, absence as a dash and the rest as JSON', () => {
    expect(showValue('gpt-4o')).toBe('gpt-4o');
    expect(showValue(undefined)).toBe('—');
    expect(showValue(null)).toBe('null');
    expect(showValue(['a', 'b'])).toBe('["a","b"]');
    expect(showValue(false)).toBe('false');
  });
});
