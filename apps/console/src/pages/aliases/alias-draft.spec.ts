import { aliasDraftToBody, aliasToDraft, emptyAliasDraft, move, readTargets, shares, targetRow } from './alias-draft';

describe('shares', () => {
  it('splits traffic by weight', () => {
    expect(shares([1, 0])).toEqual([1, 0]);
    expect(shares([3, 1])).toEqual([0.75, 0.25]);
    expect(shares([1, '1', 2])).toEqual([0.25, 0.25, 0.5]);
  });

  it('counts empty, negative and non-numeric weights as zero, and answers zeros when nothing is positive', () => {
    expect(shares(['', -2, 'x', 4])).toEqual([0, 0, 0, 1]);
    expect(shares([0, 0])).toEqual([0, 0]);
    expect(shares([])).toEqual([]);
  });
});

describe('readTargets', () => {
  it('keeps well-formed targets of a loosely typed answer', () => {
    expect(readTargets([{ model: 'a', weight: 2 }, { model: 'b' }, { weight: 1 }, null, 'c'])).toEqual([
      { model: 'a', weight: 2 },
      { model: 'b', weight: 1 },
    ]);
    expect(readTargets(undefined)).toEqual([]);
  });
});

describe('alias draft', () => {
  it('turns the form into the API body: trimmed, untouched rows dropped, typed rows kept as typed', () => {
    const d = {
      name: ' canary ',
      targets: [targetRow(' model-a ', 1), targetRow('', 1), targetRow('model-b', 0), targetRow('', 3), targetRow('model-c', '')],
      fallbacks: ['gpt-4o-mini', ' '],
    };
    expect(aliasDraftToBody(d)).toEqual({
      name: 'canary',
      targets: [
        { model: 'model-a', weight: 1 },
        { model: 'model-b', weight: 0 },
        { model: '', weight: 3 },
        { model: 'model-c', weight: '' },
      ],
      fallbacks: ['gpt-4o-mini'],
    });
  });

  it('round-trips an alias and gives each row its own key', () => {
    const a = {
      name: 'x',
      targets: [
        { model: 'a', weight: 1 },
        { model: 'b', weight: 0 },
      ],
      fallbacks: ['c', 'd'],
    };
    const d = aliasToDraft(a);
    expect(aliasDraftToBody(d)).toEqual(a);
    expect(new Set(d.targets.map((t) => t.key)).size).toBe(2);
    expect(emptyAliasDraft().targets).toHaveLength(1);
  });
});

describe('move', () => {
  it('moves an item up or down and ignores moves past either end', () => {
    expect(move(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(move(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(move(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
});
