import { MemoryTokenCache, type TokenCache } from './token-cache';

/**
 * What credential hooks may use beyond the request: an HTTP client (a test fake or proxy replaces it) and a token cache
 * that mints each credential's token once however many requests need it. The gateway and the router each hold one.
 */
export interface ProviderServices {
  fetch: typeof fetch;
  tokens: TokenCache;
}

export function defaultProviderServices(): ProviderServices {
  return { fetch: (input, init) => fetch(input, init), tokens: new MemoryTokenCache() };
}
