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
export { DEFAULT_REPLY, countWords as mockCountTokens } from './mock-upstream/reply-plan.builder';
export { shareUndiciDispatcherWithJest } from './mock-upstream/undici-dispatcher.jest-fix';
export { plainSocketTo } from './mock-upstream/plain-socket.dialer';
export { mockAudioSeconds, mockSpeechAudio, mockTranscript } from './mock-upstream/families/openai-audio';
export { startProviderAccountsFake } from './provider-accounts/provider-accounts.fake';
export type { ProviderAccountsFake, ProviderAccountsState } from './provider-accounts/provider-accounts.fake';
