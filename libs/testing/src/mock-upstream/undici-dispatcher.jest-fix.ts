const DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * @google/genai (≥2.x) hands Node's fetch a dispatcher that reads Undici's global dispatcher from
 * `globalThis`. Inside a Jest sandbox `globalThis` is not the realm that owns `fetch`, so every
 * call fails with "Undici globalDispatcher is not available". This copies the dispatcher from the
 * realm that owns `fetch` into the sandbox. Call it once (e.g. in `beforeAll`) in any Jest suite
 * that drives `@google/genai`; it is a no-op outside Jest.
 */
export function shareUndiciDispatcherWithJest(): void {
  const sandbox = globalThis as unknown as Record<symbol, unknown>;
  if (sandbox[DISPATCHER]) return;
  new Headers(); // makes Node initialise its bundled Undici in the realm that owns fetch
  const owner = (fetch.constructor as FunctionConstructor)('return globalThis')() as Record<symbol, unknown>;
  if (owner[DISPATCHER]) sandbox[DISPATCHER] = owner[DISPATCHER];
}
