import { modelsFromColumn, modelsToColumn } from './token-models';

describe('token model allow-list', () => {
  it('maps the API null (every model) to an empty column and back', () => {
    expect(modelsToColumn(null)).toEqual([]);
    expect(modelsToColumn(undefined)).toEqual([]);
    expect(modelsFromColumn([])).toBeNull();
    expect(modelsFromColumn(null)).toBeNull();
  });

  it('keeps a real allow-list as it is', () => {
    expect(modelsToColumn(['gpt-4o', 'claude-*'])).toEqual(['gpt-4o', 'claude-*']);
    expect(modelsFromColumn(['gpt-4o'])).toEqual(['gpt-4o']);
  });
});
