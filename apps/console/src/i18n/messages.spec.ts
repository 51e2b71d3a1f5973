import { en, mergeMessages, pickLanguage, translate, zh } from './messages';

describe('console messages', () => {
  it('has every English key in Chinese, translated (not left empty)', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(zh)) expect([k, v.trim().length > 0]).toEqual([k, true]);
  });

  it('keeps the same placeholders in both languages', () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect([k, holes(zh[k])]).toEqual([k, holes(en[k])]);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'dashboard.days', { n: 7 })).toBe('7 days');
    expect(translate('en', 'dashboard.days', { n: 1 })).toBe('1 day');
    expect(translate('en', 'channels.count', { n: 1 })).toBe('1 channel');
    expect(translate('en', 'channels.count', { n: 0 })).toBe('0 channels');
    expect(translate('zh', 'channels.count', { n: 1 })).toBe('共 1 个渠道');
    expect(translate('zh', 'dashboard.days', { n: 7 })).toBe('7 天');
    expect(translate('en', 'signIn.failed')).toBe('Sign-in refused: {message}');
  });

  it('follows a saved choice, then the browser languages', () => {
    expect(pickLanguage('en', ['zh-CN'])).toBe('en');
    expect(pickLanguage(null, ['zh-TW', 'en'])).toBe('zh');
    expect(pickLanguage('fr', ['de-DE'])).toBe('en');
  });

  it('refuses a key two dictionaries both define', () => {
    expect(mergeMessages({ 'a.x': '1' }, { 'b.y': '2' })).toEqual({ 'a.x': '1', 'b.y': '2' });
    expect(() => mergeMessages({ 'a.x': '1' }, { 'a.x': '2' })).toThrow('console message a.x is defined twice');
  });
});
