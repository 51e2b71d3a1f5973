import { parseSigV4Authorization, sigV4Signature } from '@switchboard/testing';
import { signAwsRequest } from './bedrock-credentials';
import suite from './fixtures/aws-sigv4-test-suite.json';

/** AWS's published vectors check both signers: the gateway's (smithy) and the fake Bedrock's own (node:crypto). */
describe('SigV4 against the AWS signature test suite', () => {
  const date = new Date(suite.date);

  it.each(suite.cases.map((c) => [c.name, c] as const))('%s: the gateway signs it as AWS publishes', async (_name, c) => {
    const { sessionToken } = c as { sessionToken?: string };
    const headers = await signAwsRequest({
      method: c.method,
      url: `https://${c.headers.host}${c.path}`,
      headers: {},
      body: c.body,
      region: suite.region,
      service: suite.service,
      credentials: sessionToken ? { ...suite.credentials, sessionToken } : suite.credentials,
      date,
    });
    expect(headers['authorization']).toBe(c.authorization);
    expect(headers['x-amz-date']).toBe(suite.amzDate);
    if (sessionToken) expect(headers['x-amz-security-token']).toBe(sessionToken);
  });

  it.each(suite.cases.map((c) => [c.name, c] as const))('%s: the fake Bedrock recomputes the same signature', (_name, c) => {
    const { sessionToken } = c as { sessionToken?: string };
    const auth = parseSigV4Authorization(c.authorization)!;
    const [rawPath, rawQuery = ''] = c.path.split('?');
    const signature = sigV4Signature({
      method: c.method,
      rawPath: rawPath,
      rawQuery,
      headers: { host: c.headers.host, 'x-amz-date': suite.amzDate, ...(sessionToken ? { 'x-amz-security-token': sessionToken } : {}) },
      signedHeaders: auth.signedHeaders,
      body: Buffer.from(c.body),
      amzDate: suite.amzDate,
      scope: auth.scope,
      secretAccessKey: suite.credentials.secretAccessKey,
    });
    expect(signature).toBe(auth.signature);
  });

  it('signs a Bedrock model path as sent (`%3A` once), which the independent verifier accepts; any other path fails', async () => {
    const url = 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse';
    const body = '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}';
    const headers = await signAwsRequest({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body,
      region: 'us-east-1',
      service: 'bedrock',
      credentials: suite.credentials,
      date,
    });
    const auth = parseSigV4Authorization(headers['authorization'])!;
    expect(auth.scope).toBe('20150830/us-east-1/bedrock/aws4_request');
    const verify = (rawPath: string) =>
      sigV4Signature({
        method: 'POST',
        rawPath,
        rawQuery: '',
        headers: { host: 'bedrock-runtime.us-east-1.amazonaws.com', 'content-type': 'application/json', 'x-amz-date': headers['x-amz-date'] },
        signedHeaders: auth.signedHeaders,
        body: Buffer.from(body),
        amzDate: headers['x-amz-date'],
        scope: auth.scope,
        secretAccessKey: suite.credentials.secretAccessKey,
      });
    expect(verify('/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse')).toBe(auth.signature);
    // the raw colon, or the id encoded twice, is a different canonical URI: AWS's "signature does not match"
    expect(verify('/model/us.anthropic.claude-sonnet-4-20250514-v1:0/converse')).not.toBe(auth.signature);
    expect(verify('/model/us.anthropic.claude-sonnet-4-20250514-v1%253A0/converse')).not.toBe(auth.signature);
  });
});
