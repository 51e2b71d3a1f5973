import { randomBytes } from 'node:crypto';
import type { AttemptContext } from '../../relay/attempt-context';
import { readApiKey } from '../../relay/inbound';

/** Marks the gateway's own rewrite calls (per process, unguessable): web-search never searches for them. */
export const REWRITE_HEADER = 'x-switchboard-web-search-rewrite';
const REWRITE_NONCE = randomBytes(16).toString('hex');
const REWRITE_TIMEOUT_MS = 15_000;
const MAX_QUERY_CHARS = 400;

const INSTRUCTIONS =
  'Rewrite the user message below as one concise web search query in its own language. Answer with the query only: no quotes, no explanation.';

export function isRewriteCall(ctx: AttemptContext): boolean {
  return ctx.req.headers[REWRITE_HEADER] === REWRITE_NONCE;
}

/**
 * The question as a search query, written by `model`: an ordinary Chat Completions call through this gateway's own
 * relay (Fastify's in-process inject) with the client's key, so it is routed, limited, billed and logged as the
 * client's own request of that model, from the client's address (a key's IP allow-list applies as to the client).
 * Null when it fails or says nothing (the question is searched as it is).
 */
export async function rewriteQuery(ctx: AttemptContext, model: string, question: string): Promise<string | null> {
  const key = readApiKey(ctx.req);
  if (!key) return null;
  const call = ctx.req.server.inject({
    method: 'POST',
    url: '/v1/chat/completions',
    remoteAddress: ctx.req.ip,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', [REWRITE_HEADER]: REWRITE_NONCE },
    payload: JSON.stringify({
      model,
      stream: false,
      max_tokens: 64,
      messages: [
        { role: 'system', content: INSTRUCTIONS },
        { role: 'user', content: question },
      ],
    }),
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), REWRITE_TIMEOUT_MS)));
  try {
    const res = await Promise.race([call, timeout]);
    if (!res || res.statusCode !== 200) return null;
    const content = res.json<{ choices?: { message?: { content?: unknown } }[] }>().choices?.[0]?.message?.content;
    const query = typeof content === 'string' ? content.replace(/^["'\s]+|["'\s]+$/g, '').replace(/\s+/g, ' ') : '';
    return query ? query.slice(0, MAX_QUERY_CHARS) : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
