import { BEDROCK_ERRORS, chunkFrame, eventFrame, eventStreamFrame, exceptionFrame, parseSigV4Authorization } from '@switchboard/testing';
import { defaultProviderServices } from '../credentials/provider-services';
import { channelConfigProblem, defaultBaseUrl, providerFor } from '../registry';
import type { CredentialContext, PreparedRequest } from '../provider.types';
import { BedrockAdapter } from './bedrock.adapter';
import { parseBedrockKey } from './bedrock-credentials';
import { bedrockUpstreamError } from './bedrock-errors';

const adapter = new BedrockAdapter();
const cred = (apiKey: string, region = 'eu-west-3'): CredentialContext => ({
  channelId: 1,
  keyIndex: 0,
  apiKey,
  baseUrl: '',
  config: { region },
  services: defaultProviderServices(),
});
const target = (model: string, protocol: 'anthropic' | 'bedrock-converse', stream: boolean, baseUrl = '', region = 'eu-west-3') =>
  adapter.target({ baseUrl, apiKey: 'k', model, protocol, stream, operation: 'generate', config: { region } });

describe('bedrock channels', () => {
  it("is a registered type whose region is required and checked, and whose default host is the region's", () => {
    expect(providerFor('bedrock')).toBeInstanceOf(BedrockAdapter);
    expect(channelConfigProblem('bedrock', {})).toEqual({ field: 'region', message: expect.stringMatching(/required/) });
    expect(channelConfigProblem('bedrock', { region: 'Paris' })).toEqual({ field: 'region', message: expect.stringMatching(/AWS region/) });
    expect(channelConfigProblem('bedrock', { region: 'us-gov-west-1' })).toBeNull();
    expect(defaultBaseUrl('bedrock', { region: 'ap-southeast-2' })).toBe('https://bedrock-runtime.ap-southeast-2.amazonaws.com');
    expect(defaultBaseUrl('bedrock', {})).toBeUndefined();
  });

  it('Converse for every family; InvokeModel (Anthropic body) when an Anthropic client asks for Claude; nothing but chat', () => {
    expect(adapter.protocolFor('us.anthropic.claude-sonnet-4-20250514-v1:0', 'generate', 'anthropic')).toBe('anthropic');
    expect(adapter.protocolFor('us.anthropic.claude-sonnet-4-20250514-v1:0', 'generate', 'openai-chat')).toBe('bedrock-converse');
    expect(adapter.protocolFor('meta.llama3-70b-instruct-v1:0', 'generate', 'anthropic')).toBe('bedrock-converse');
    expect(adapter.protocolFor('amazon.titan-embed-text-v2:0', 'embed', 'openai-embeddings')).toBeNull();
  });

  it('addresses /model/{id}/{action}: ids with `:` and ARNs encoded once; AWS hosts follow the region, other base URLs are kept', () => {
    expect(target('us.anthropic.claude-sonnet-4-20250514-v1:0', 'bedrock-converse', false).url).toBe(
      'https://bedrock-runtime.eu-west-3.amazonaws.com/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse',
    );
    expect(target('global.anthropic.claude-sonnet-4-6', 'anthropic', true, 'https://bedrock-runtime.us-east-1.amazonaws.com/').url).toBe(
      'https://bedrock-runtime.eu-west-3.amazonaws.com/model/global.anthropic.claude-sonnet-4-6/invoke-with-response-stream',
    );
    const arn = 'arn:aws:bedrock:eu-west-3:123456789012:application-inference-profile/a1b2c3';
    expect(target(arn, 'bedrock-converse', true, 'https://vpce-0abc.bedrock-runtime.eu-west-3.vpce.amazonaws.com').url).toBe(
      'https://vpce-0abc.bedrock-runtime.eu-west-3.vpce.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-3%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3/converse-stream',
    );
    expect(target('anthropic.claude-3-haiku-20240307-v1:0', 'anthropic', false).url).toMatch(/\/invoke$/);
    expect(target('m', 'bedrock-converse', true).headers['accept']).toBe('application/vnd.amazon.eventstream');
  });

  it('reads keys as AKID:SECRET[:TOKEN] or a Bedrock API key', () => {
    expect(parseBedrockKey('AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual({
      kind: 'sigv4',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    expect(parseBedrockKey('ASIAXAMPLE000000TOKEN:secret:IQoJb3JpZ2luX2VjEFo=')).toMatchObject({ kind: 'sigv4', sessionToken: 'IQoJb3JpZ2luX2VjEFo=' });
    expect(parseBedrockKey('ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl')).toEqual({ kind: 'bearer', apiKey: 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl' });
    expect(parseBedrockKey('bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t')).toMatchObject({ kind: 'bearer' });
  });

  it('prepare: Bearer for API keys; SigV4 (service bedrock, the channel region, session token signed) for access keys', async () => {
    const bearer: PreparedRequest = { url: target('m', 'bedrock-converse', false).url, headers: { 'content-type': 'application/json' }, body: '{}' };
    await adapter.prepare(bearer, cred('ABSKexample'), 'bedrock-converse');
    expect(bearer.headers['authorization']).toBe('Bearer ABSKexample');

    const signed: PreparedRequest = {
      url: target('a.b:0', 'bedrock-converse', false).url,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"messages":[]}',
    };
    await adapter.prepare(signed, cred('ASIAEXAMPLEEXAMPLE01:secret:the-token'), 'bedrock-converse');
    const auth = parseSigV4Authorization(signed.headers['authorization'])!;
    expect(auth.accessKeyId).toBe('ASIAEXAMPLEEXAMPLE01');
    expect(auth.scope).toMatch(/^\d{8}\/eu-west-3\/bedrock\/aws4_request$/);
    expect(auth.signedHeaders).toEqual(['accept', 'content-type', 'host', 'x-amz-date', 'x-amz-security-token']);
    expect(signed.headers['x-amz-security-token']).toBe('the-token');
  });

  it("prepare on InvokeModel: the Anthropic body without model/stream, with anthropic_version and the client's betas", async () => {
    const req: PreparedRequest = {
      url: target('us.anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic', true).url,
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'interleaved-thinking-2025-05-14, context-1m-2025-08-07',
      },
      body: Buffer.from(
        JSON.stringify({
          model: 'claude',
          stream: true,
          max_tokens: 64,
          thinking: { type: 'enabled', budget_tokens: 1024 },
          messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
        }),
      ),
    };
    await adapter.prepare(req, cred('ABSKexample'), 'anthropic');
    expect(JSON.parse(req.body as string)).toEqual({
      max_tokens: 64,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07'],
    });
    expect(Object.keys(req.headers).sort()).toEqual(['authorization', 'content-type']);
  });
});

describe('Bedrock errors as routing reads them', () => {
  const read = (e: { status: number; type: string; body: Record<string, string> }) =>
    bedrockUpstreamError(e.status, (n) => (n === 'x-amzn-errortype' ? e.type : undefined), JSON.stringify(e.body));
  it.each([
    ['bad secret (signature mismatch) → the key', BEDROCK_ERRORS.invalidSignature, 401],
    ['unknown access key → the key', BEDROCK_ERRORS.unrecognizedClient, 401],
    ['invalid Bedrock API key → the key', BEDROCK_ERRORS.invalidApiKey, 401],
    ['throttling → rate limited', BEDROCK_ERRORS.throttling, 429],
    ['on-demand throughput unsupported → this channel cannot serve the model', BEDROCK_ERRORS.onDemandUnsupported, 404],
    ['a malformed request → the client', BEDROCK_ERRORS.validation, 400],
    ['model error 424 → upstream failure', BEDROCK_ERRORS.modelError, 502],
  ])('%s', (_name, e, status) => {
    expect(read(e)).toMatchObject({ status, message: (e.body as Record<string, string>)['message'] ?? (e.body as Record<string, string>)['Message'] });
  });

  it('an IAM denial for one model skips the channel without blaming the key; a body without the header is still read', () => {
    const body = JSON.stringify({
      Message:
        'User: arn:aws:iam::123456789012:user/gw is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/x',
    });
    expect(bedrockUpstreamError(403, () => undefined, body)).toMatchObject({ status: 403, code: 'AccessDeniedException' });
    expect(bedrockUpstreamError(502, () => undefined, '<html>Bad Gateway</html>')).toBeNull();
  });
});

describe('the Bedrock stream framer', () => {
  /** Feeds bytes in pieces of 1..13 bytes, as a slow network would. */
  const feed = (framer: { push(b: Uint8Array): string; end(): string }, bytes: Buffer) => {
    let out = '';
    for (let at = 0, n = 1; at < bytes.length; at += n, n = (n % 13) + 1) out += framer.push(bytes.subarray(at, at + n));
    return out + framer.end();
  };

  it('ConverseStream frames → SSE named by :event-type, across any split', () => {
    const bytes = Buffer.concat([
      eventFrame('messageStart', { role: 'assistant' }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'héllo' } }),
    ]);
    expect(feed(adapter.streamFramer('bedrock-converse')!, bytes)).toBe(
      'event: messageStart\ndata: {"role":"assistant"}\n\nevent: contentBlockDelta\ndata: {"contentBlockIndex":0,"delta":{"text":"héllo"}}\n\n',
    );
  });

  it('InvokeModel chunk frames → Anthropic SSE (keep-alives dropped, Bedrock metrics removed)', () => {
    const bytes = Buffer.concat([
      chunkFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }),
      chunkFrame({}),
      chunkFrame({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 3 } }),
    ]);
    expect(feed(adapter.streamFramer('anthropic')!, bytes)).toBe(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });

  it("an exception before anything was produced throws (the attempt fails over); after, it is the protocol's error event", () => {
    expect(() => adapter.streamFramer('bedrock-converse')!.push(exceptionFrame('throttlingException', 'Too many requests'))).toThrow('Too many requests');
    const converse = adapter.streamFramer('bedrock-converse')!;
    const out =
      converse.push(Buffer.concat([eventFrame('messageStart', { role: 'assistant' }), exceptionFrame('modelStreamErrorException', 'model failed')])) +
      converse.end();
    expect(out).toBe('event: messageStart\ndata: {"role":"assistant"}\n\nevent: modelStreamErrorException\ndata: {"message":"model failed"}\n\n');
    const anthropic = adapter.streamFramer('anthropic')!;
    anthropic.push(chunkFrame({ type: 'message_start', message: { id: 'm' } }));
    expect(anthropic.push(exceptionFrame('throttlingException', 'slow down'))).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}\n\n',
    );
  });

  it('an unmodeled error frame after content is reported as an internal error, never as a clean end', () => {
    const framer = adapter.streamFramer('bedrock-converse')!;
    framer.push(eventFrame('messageStart', { role: 'assistant' }));
    const failure = eventStreamFrame({ ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'An internal error occurred.' }, '');
    expect(framer.push(failure)).toBe('event: internalServerException\ndata: {"message":"An internal error occurred."}\n\n');
  });

  it('a frame with a bad CRC or a stream cut mid-frame is a broken transport, never relayed', () => {
    const bad = Buffer.from(eventStreamFrame({ ':message-type': 'event', ':event-type': 'messageStart' }, '{"role":"assistant"}'));
    bad[bad.length - 1] ^= 1;
    expect(() => adapter.streamFramer('bedrock-converse')!.push(bad)).toThrow(/rejected/);
    const cut = adapter.streamFramer('bedrock-converse')!;
    cut.push(eventFrame('messageStart', { role: 'assistant' }).subarray(0, 20));
    expect(() => cut.end()).toThrow(/inside a frame/);
  });
});
