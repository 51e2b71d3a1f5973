import { keyPreview, keysFromFile, keysFromText } from './key-import';

describe('key import', () => {
  it('reads one key per line, trimming and dropping blanks (CRLF too)', () => {
    expect(keysFromText(' sk-a \r\n\nsk-b\n  \n')).toEqual(['sk-a', 'sk-b']);
  });
  it('reads a .json file as an array of strings and refuses anything else', () => {
    expect(keysFromFile('keys.JSON', '["sk-a", " sk-b ", ""]')).toEqual({ keys: ['sk-a', 'sk-b'] });
    expect(keysFromFile('keys.json', '{"a": 1}')).toEqual({ error: 'jsonShape' });
    expect(keysFromFile('keys.json', '["sk-a", 2]')).toEqual({ error: 'jsonShape' });
    expect(keysFromFile('keys.json', '[sk-a')).toEqual({ error: 'json' });
    expect(keysFromFile('keys.txt', 'sk-a\nsk-b\n')).toEqual({ keys: ['sk-a', 'sk-b'] });
  });
  it('previews the distinct keys and how many repeat', () => {
    expect(keyPreview(['a', 'b', 'a', 'a'])).toEqual({ unique: ['a', 'b'], repeated: 2 });
  });
});
