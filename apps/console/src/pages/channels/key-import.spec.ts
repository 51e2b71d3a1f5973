import { keyPreview, keysFromFile, keysFromText } from './key-import';

describe('key import', () => {
  it('reads one key per line, trimming and dropping blanks (CRLF too)', () => {
    expect(keysFromText(' sk-a \r\n\nsk-b\n  \n')).toEqual(['sk-a', 'sk-b']);
  });
  it('reads a .json file as an array of strings and refuses anything else', () => {
    expect(keysFromFile('keys.JSON', '["sk-a", " sk-b ", ""]')).toEqual({ keys: ['sk-a', 'sk-b'] });
    expect(keysFromFile('keys.json', '[{"a": 1}, 2]')).toEqual({ error: 'jsonShape' });
    expect(keysFromFile('keys.json', '["sk-a", 2]')).toEqual({ error: 'jsonShape' });
    expect(keysFromFile('keys.json', '[sk-a')).toEqual({ error: 'json' });
    expect(keysFromFile('keys.txt', 'sk-a\nsk-b\n')).toEqual({ keys: ['sk-a', 'sk-b'] });
  });
  it('takes a pasted or uploaded JSON credential (a service-account key file) as one key, whatever its line breaks', () => {
    const sa = '{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\nMII\\n-----END PRIVATE KEY-----\\n"\n}\n';
    const one = JSON.stringify(JSON.parse(sa));
    expect(keysFromText(sa)).toEqual([one]);
    expect(keysFromFile('my-project-0123.json', sa)).toEqual({ keys: [one] });
    expect(keysFromText(`[${sa}, ${sa}]`)).toEqual([one, one]);
    expect(keysFromText('{not json\nsk-b')).toEqual(['{not json', 'sk-b']);
  });
  it('previews the distinct keys and how many repeat', () => {
    expect(keyPreview(['a', 'b', 'a', 'a'])).toEqual({ unique: ['a', 'b'], repeated: 2 });
  });
});
