import { isObject, tryParseJson, type JsonObject } from './json.util';

/** Upstream-produced arguments: never fail a response because a model emitted broken JSON. */
export function parseToolArgumentsLenient(args: string): JsonObject {
  if (args.trim() === '') return {};
  const parsed = tryParseJson(args);
  return isObject(parsed) ? parsed : { _raw: args };
}
