/** Bedrock's error answers as AWS sends them: `x-amzn-ErrorType` names the error, the body holds `{"message"}`. */
export interface BedrockErrorReply {
  status: number;
  type: string;
  body: Record<string, string>;
}

const coral = (type: string) => `${type}:http://internal.amazon.com/coral/com.amazon.coral.service/`;
const bedrock = (type: string) => `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`;

export const BEDROCK_ERRORS = {
  invalidSignature: {
    status: 403,
    type: coral('InvalidSignatureException'),
    body: {
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    },
  },
  unrecognizedClient: { status: 403, type: coral('UnrecognizedClientException'), body: { message: 'The security token included in the request is invalid.' } },
  wrongRegion: {
    status: 403,
    type: coral('InvalidSignatureException'),
    body: { message: 'Credential should be scoped to a valid region. ' },
  },
  invalidApiKey: { status: 403, type: bedrock('AccessDeniedException'), body: { Message: 'Authentication failed: Please make sure your API Key is valid.' } },
  throttling: { status: 429, type: bedrock('ThrottlingException'), body: { message: 'Too many requests, please wait before trying again.' } },
  onDemandUnsupported: {
    status: 400,
    type: bedrock('ValidationException'),
    body: {
      message:
        'Invocation of model ID anthropic.claude-3-7-sonnet-20250219-v1:0 with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.',
    },
  },
  validation: {
    status: 400,
    type: bedrock('ValidationException'),
    body: { message: 'The model returned the following errors: messages: text content blocks must be non-empty' },
  },
  modelError: {
    status: 424,
    type: bedrock('ModelErrorException'),
    body: { message: 'Received error from model: the model encountered an error processing the request', originalStatusCode: '500' },
  },
  notFound: { status: 404, type: bedrock('ResourceNotFoundException'), body: { message: 'Model not found.' } },
} satisfies Record<string, BedrockErrorReply>;

/** The message InvokeModel answers when an Anthropic body carries a key it does not take (`model`, `stream`). */
export const extraneousKey = (key: string): BedrockErrorReply => ({
  status: 400,
  type: bedrock('ValidationException'),
  body: { message: `Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.` },
});
