import { darken } from './console-theme';

describe('darken', () => {
  it('mixes a colour with black by the share given', () => {
    expect(darken('#ffffff', 0.3)).toBe('#b3b3b3');
    expect(darken('#2b8a3e', 0)).toBe('#2b8a3e');
    expect(darken('#2b8a3e', 1)).toBe('#000000');
  });
});
