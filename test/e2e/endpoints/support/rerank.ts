import { adminClient, eventually } from '../../../support/harness';

/** What the rerank e2e specs share: the client call by fetch, the log they read, a query and its documents. */
export type Admin = ReturnType<typeof adminClient>;
export interface Log {
  requestId: string;
  status: number;
  endpoint: string | null;
  protocol: string;
  upstreamProtocol: string | null;
  units: { searchUnits?: number } | null;
  promptTokens: number;
  cost: number;
}
export interface RerankAnswer {
  id?: string;
  results: { index: number; relevance_score: number; document?: { text: string } }[];
  meta?: { billed_units?: { search_units?: number } };
  usage?: { total_tokens?: number };
  error?: { message: string; type: string; param?: string | null; code?: string | null };
}

export const QUERY = 'What is the capital of France?';
export const DOCS = ['The cat sat on the mat.', 'Paris is the capital of France.', { text: 'France is a country in Europe.' }];

/** POST /v1/rerank through the gateway by fetch, in the Cohere shape (no SDK speaks it). */
export async function rerank(url: string, key: string, body: Record<string, unknown>): Promise<{ status: number; body: RerankAnswer; requestId: string }> {
  const res = await fetch(`${url}/v1/rerank`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as RerankAnswer, requestId: res.headers.get('x-request-id') ?? '' };
}

export const logOf = (admin: Admin, id: string) =>
  eventually(
    async () => {
      const r = await admin.get<Log>(`/api/logs/${id}`);
      return r.status === 200 ? r.body : null;
    },
    5_000,
    `the log of ${id}`,
  );
