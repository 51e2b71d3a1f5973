export { startMockUpstream } from './mock-upstream/mock-upstream.server';
export type {
  FaultMatch,
  FaultRule,
  MockUpstream,
  MockUpstreamOptions,
  MockVendor,
  RecordedRealtimeEvent,
  RecordedRequest,
  StreamShape,
} from './mock-upstream/mock-upstream.types';
export { DEFAULT_REPLY, countWords as mockCountTokens, thinkTagsReasoning } from './mock-upstream/reply-plan.builder';
export { shareUndiciDispatcherWithJest } from './mock-upstream/undici-dispatcher.jest-fix';
export { plainSocketTo } from './mock-upstream/plain-socket.dialer';
export { mockAudioSeconds, mockSpeechAudio, mockTranscript } from './mock-upstream/families/openai-audio';
export {
  startFakeBedrock,
  type FakeBedrock,
  type FakeBedrockAction,
  type FakeBedrockCredential,
  type FakeBedrockFault,
  type FakeBedrockOptions,
  type FakeBedrockRequest,
} from './fake-bedrock/fake-bedrock.server';
export { BEDROCK_ERRORS } from './fake-bedrock/bedrock-errors';
export { FAKE_USAGE as FAKE_BEDROCK_USAGE } from './fake-bedrock/bedrock-replies';
export { awsUriEncode, canonicalRequest, parseSigV4Authorization, sigV4Signature, type SigV4Input } from './fake-bedrock/aws-sigv4.verifier';
export { chunkFrame, eventFrame, eventStreamFrame, exceptionFrame } from './fake-bedrock/event-stream.writer';
export { startFakeKiro, kiroBodyProblem, type FakeKiro, type FakeKiroAccount, type FakeKiroReplyOptions, type FakeKiroRequest } from './kiro/fake-kiro.server';
export { startAzureFake, type AzureFake, type AzureFakeOptions, type AzureFakeRequest, type EntraApp } from './azure-fake/azure-fake.server';
export { startFakeVertex, FAKE_VERTEX_SCOPE } from './fake-vertex/fake-vertex.server';
export type {
  FakeServiceAccountOptions,
  FakeTokenRequest,
  FakeVertex,
  FakeVertexFault,
  FakeVertexOptions,
  FakeVertexRequest,
} from './fake-vertex/fake-vertex.server';
export { startProviderAccountsFake } from './provider-accounts/provider-accounts.fake';
export type { ProviderAccountsFake, ProviderAccountsState } from './provider-accounts/provider-accounts.fake';
export { startFakeSearch, type FakeSearch, type FakeSearchRequest } from './fake-search/fake-search.server';
export { startFakeStripe, type FakeStripe, type StripeObject } from './fake-stripe/fake-stripe.server';
