import { badRequest, type DomainError } from '@switchboard/contracts';
import type { z } from 'zod';

/** Fields the API shows but never accepts: naming them gets a clearer message than "unknown field". */
const READ_ONLY = new Set(['id', 'key', 'usedQuota', 'builtin', 'createdAt', 'updatedAt']);

/**
 * Parses an admin body or query with a zod schema. Every failure is a 400 whose message starts with the field it
 * is about (`rpm: …`, `allowIps.1: …`, `foo: unknown field`), before anything is read from or written to the
 * database, so a rejected request leaves nothing behind.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw inputError(r.error);
}

function inputError(err: z.ZodError): DomainError {
  const issues = err.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const field = [...issue.path, key].join('.');
      return { field, message: READ_ONLY.has(key) ? 'is read-only' : 'unknown field' };
    }
    return { field: issue.path.join('.') || 'body', message: issue.message };
  });
  const first = issues[0] ?? { field: 'body', message: 'invalid' };
  return badRequest(`${first.field}: ${first.message}`, { field: first.field, issues });
}
