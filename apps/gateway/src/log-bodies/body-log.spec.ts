import { BodyLog, capBody } from './body-log';
import { REDACTED, redactSecrets } from './redact-secrets';

describe('redactSecrets', () => {
  it.each([
    ['an OpenAI-style key in a prompt', '{"content":"my key is sk-proj-abcDEF1234567890xyz ok"}', 'sk-proj-abcDEF1234567890xyz'],
    ['an Anthropic key', 'sk-ant-api03-AAAAbbbbCCCCdddd', 'sk-ant-api03-AAAAbbbbCCCCdddd'],
    ['a bearer credential', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def', 'eyJhbGciOiJIUzI1NiJ9.abc.def'],
    ['an AWS access key id', 'aws AKIAIOSFODNN7EXAMPLE here', 'AKIAIOSFODNN7EXAMPLE'],
    ['a Google API key', 'key=AIzaSyA1234567890abcdefghijklmnopqrstuv', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
    ['a GitHub token', 'ghp_0123456789abcdefghijklmnopqrstuvwxyz', 'ghp_0123456789abcdefghijklmnopqrstuvwxyz'],
    ['an api_key field', '{"api_key":"plain-value-1"}', 'plain-value-1'],
    ['an apiKey field', '{"apiKey" : "plain-value-2"}', 'plain-value-2'],
    ['an authorization field', '{"Authorization":"Token abc"}', 'Token abc'],
    ['a password field with escapes', '{"password":"p\\"a\\\\ss"}', 'p\\"a\\\\ss'],
    ['a client_secret field', '{"client_secret":"cs-1"}', 'cs-1'],
    ['aws_secret_access_key', '{"aws_secret_access_key":"wJalrXUtnFEMI/K7MDENG"}', 'wJalrXUtnFEMI/K7MDENG'],
    ['a secret field inside a JSON string', '{"content":"{\\"secret\\": \\"hunter2\\"}"}', 'hunter2'],
    ['a private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', 'MIIE'],
  ])('masks %s', (_name, text, secret) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('keeps the JSON valid and leaves ordinary fields alone', () => {
    const body = JSON.stringify({ model: 'gpt-4o', max_tokens: 10, apiKey: 'k"1', messages: [{ role: 'user', content: 'hello sk-test-000000000000' }] });
    const out = JSON.parse(redactSecrets(body));
    expect(out).toEqual({ model: 'gpt-4o', max_tokens: 10, apiKey: REDACTED, messages: [{ role: 'user', content: `hello ${REDACTED}` }] });
  });

  it('keeps the scheme of a bearer credential', () => {
    expect(redactSecrets('Bearer abcdefghijkl')).toBe(`Bearer ${REDACTED}`);
  });
});

describe('capBody', () => {
  it('leaves a body within the cap as it is', () => {
    expect(capBody('abc', 3)).toEqual({ text: 'abc', truncated: false });
  });

  it('cuts a longer body and names its original size', () => {
    expect(capBody('abcdef', 4)).toEqual({ text: 'abcd\n…[truncated: 6 bytes in all]', truncated: true });
    expect(capBody('abcd', 4, 1000)).toEqual({ text: 'abcd\n…[truncated: 1000 bytes in all]', truncated: true });
  });
});

describe('BodyLog', () => {
  const call = (raw: string) => ({ raw: Buffer.from(raw) });

  it('logs the request and the answer pieces the client received, redacted', () => {
    const log = new BodyLog(1024);
    log.write('data: {"x":"sk-abcdefghijklmnop"}\n\n');
    log.write(Buffer.from('data: [DONE]\n\n'));
    log.end();
    expect(log.bodies(call('{"apiKey":"s3cr3t"}'))).toEqual({
      request: `{"apiKey":"${REDACTED}"}`,
      response: `data: {"x":"${REDACTED}"}\n\ndata: [DONE]\n\n`,
      truncated: false,
    });
  });

  it('caps each body, redacting a secret the cap would cut first', () => {
    const log = new BodyLog(300);
    const answer = `${'a'.repeat(290)} sk-${'z'.repeat(40)} ${'b'.repeat(5000)}`;
    for (let i = 0; i < answer.length; i += 100) log.write(answer.slice(i, i + 100));
    const b = log.bodies(call('x'.repeat(1000)));
    expect(b.truncated).toBe(true);
    expect(b.request).toBe(`${'x'.repeat(300)}\n…[truncated: 1000 bytes in all]`);
    expect(b.response).not.toContain('zzzz');
    expect(b.response).toMatch(/^a{290} \[REDACTED\n…\[truncated: 5335 bytes in all\]$/);
  });

  it('logs an error the gateway rendered, and an upload by its size only', () => {
    const log = new BodyLog(1024);
    log.error('{"error":{"message":"no"}}');
    const files = [{ bytes: 10 }, { bytes: 5 }] as unknown as NonNullable<Parameters<BodyLog['bodies']>[0]['files']>;
    expect(log.bodies({ raw: Buffer.alloc(0), files })).toEqual({ request: '[multipart, 15 bytes]', response: '{"error":{"message":"no"}}', truncated: false });
  });

  it('logs no answer when none went out', () => {
    expect(new BodyLog(1024).bodies(call('{}')).response).toBeNull();
  });
});
