import { convertRequest } from '../conversion/convert-request';
import { convertResponse } from '../conversion/convert-response';
import { ProtocolError } from '../protocol.error';
import { protocolDescriptor } from '../registry/protocol.registry';
import { fixtureJson } from '../testing/fixtures.loader';
import { searchUnitsOf } from './rerank.accounting';
import { validateRerankRequest } from './rerank.request';

const ctx = { upstreamModel: 'rerank-2.5-upstream', requestedModel: 'rerank-2.5', stream: false, requestId: 'req_fixture' };
const accounting = protocolDescriptor('rerank').accounting!;
const req = (body: Record<string, unknown>) => ({ operation: 'rerank' as const, body });

describe('rerank ↔ Voyage (fixtures)', () => {
  it('the client request becomes Voyage’s: top_n → top_k, {text} documents → strings, Cohere-only fields dropped', () => {
    expect(convertRequest('rerank', 'voyage-rerank', fixtureJson('rerank/request.json'), ctx)).toEqual(fixtureJson('rerank/voyage-request.json'));
  });

  it('Voyage’s answer becomes the client’s: data → results, document strings → { text }, usage kept', () => {
    expect(convertResponse('voyage-rerank', 'rerank', fixtureJson('rerank/voyage-response.json'), ctx)).toEqual(
      fixtureJson('rerank/voyage-response.client.json'),
    );
  });

  it('omits document (never null) when Voyage returned none', () => {
    const answer = convertResponse('voyage-rerank', 'rerank', { object: 'list', data: [{ index: 0, relevance_score: 0.5 }], usage: { total_tokens: 3 } }, ctx);
    expect(answer.results).toEqual([{ index: 0, relevance_score: 0.5 }]);
  });

  it('a Jina-shaped answer is the client’s already (no conversion for the same protocol)', () => {
    const jina = fixtureJson('rerank/jina-response.json');
    expect(convertResponse('rerank', 'rerank', jina, ctx)).toBe(jina);
  });
});

describe('rerank ↔ Cohere v2 (fixtures)', () => {
  const client = fixtureJson('rerank/request.json');
  const cctx = { ...ctx, clientBody: client };

  it('the client request becomes Cohere’s: string documents, no return_documents, max_tokens_per_doc kept', () => {
    expect(convertRequest('rerank', 'cohere-rerank', client, cctx)).toEqual(fixtureJson('rerank/cohere-request.json'));
  });

  it('back-fills the documents Cohere never echoes when the client asked for them, by index', () => {
    expect(convertResponse('cohere-rerank', 'rerank', fixtureJson('rerank/cohere-response.json'), cctx)).toEqual(
      fixtureJson('rerank/cohere-response.client.json'),
    );
  });

  it('leaves documents out when the client did not ask, and keeps Cohere’s id and meta', () => {
    const answer = convertResponse('cohere-rerank', 'rerank', fixtureJson('rerank/cohere-response.json'), {
      ...ctx,
      clientBody: { ...client, return_documents: false },
    });
    expect(answer).toEqual(fixtureJson('rerank/cohere-response.json'));
  });
});

describe('rerank validation (400 naming the param)', () => {
  const ok = fixtureJson('rerank/request.json');
  it.each([
    [{ ...ok, query: undefined }, 'query', /Missing required parameter: 'query'/],
    [{ ...ok, query: 7 }, 'query', /expected a string/],
    [{ ...ok, documents: undefined }, 'documents', /Missing required parameter: 'documents'/],
    [{ ...ok, documents: 'a' }, 'documents', /expected an array/],
    [{ ...ok, documents: [] }, 'documents', /empty array/],
    [{ ...ok, documents: ['a', { title: 'b' }] }, 'documents[1]', /string or an object with a string 'text'/],
    [{ ...ok, documents: ['a', 3] }, 'documents[1]', /got number/],
    [{ ...ok, top_n: 0 }, 'top_n', /positive integer/],
    [{ ...ok, top_n: 1.5 }, 'top_n', /positive integer/],
    [{ ...ok, top_n: '2' }, 'top_n', /positive integer/],
  ])('%j → %s', (body, param, message) => {
    const err = (() => {
      try {
        validateRerankRequest(body);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProtocolError);
    expect([(err as ProtocolError).status, (err as ProtocolError).param]).toEqual([400, param]);
    expect((err as ProtocolError).message).toMatch(message);
  });

  it('accepts strings and { text } documents, with or without top_n', () => {
    expect(() => validateRerankRequest(ok)).not.toThrow();
    expect(() => validateRerankRequest({ ...ok, top_n: undefined })).not.toThrow();
  });
});

describe('rerank accounting (search units, tokens)', () => {
  const docs = (n: number, text = 'short document') => Array.from({ length: n }, () => text);

  it('one search unit per query of up to 100 documents', () => {
    expect(searchUnitsOf({ query: 'q', documents: docs(1) })).toBe(1);
    expect(searchUnitsOf({ query: 'q', documents: docs(100) })).toBe(1);
    expect(searchUnitsOf({ query: 'q', documents: docs(101) })).toBe(2);
    expect(searchUnitsOf({ query: 'q', documents: docs(250) })).toBe(3);
  });

  it('a document over the chunk size (query included) counts as several documents', () => {
    const long = 'word '.repeat(1200); // ≈1200 tokens → 3 chunks of ≤500
    expect(searchUnitsOf({ query: 'q', documents: [...docs(98), long] })).toBe(2);
    expect(searchUnitsOf({ query: 'q', documents: [...docs(97), long] })).toBe(1);
  });

  it('bills Cohere’s billed search units when it reports them, else the rule; no tokens from Cohere', () => {
    const body = fixtureJson('rerank/request.json');
    expect(accounting.measure(fixtureJson('rerank/cohere-response.json'), req(body))).toEqual({ usage: null, units: { searchUnits: 1 } });
    const billed3 = { ...fixtureJson('rerank/cohere-response.json'), meta: { billed_units: { search_units: 3 } } };
    expect(accounting.measure(billed3, req(body)).units).toEqual({ searchUnits: 3 });
  });

  it('bills the tokens Jina and Voyage report as prompt tokens, with the rule’s search units', () => {
    const body = fixtureJson('rerank/request.json');
    const jina = accounting.measure(fixtureJson('rerank/jina-response.json'), req(body));
    expect([jina.usage?.promptTokens, jina.units]).toEqual([65, { searchUnits: 1 }]);
    const voyage = accounting.measure(fixtureJson('rerank/voyage-response.client.json'), req(body));
    expect(voyage.usage?.promptTokens).toBe(74);
  });

  it('reserves the same rule and the query read with each document, no output', () => {
    const est = accounting.estimate(req({ query: 'alpha beta', documents: docs(150) }));
    expect(est.units).toEqual({ searchUnits: 2 });
    expect(est.outputTokens).toBe(0);
    expect(est.promptTokens).toBeGreaterThanOrEqual(150 * 3);
  });

  it('is total: a hostile answer or body gives zero, not a throw', () => {
    expect(accounting.measure({ meta: { billed_units: { search_units: -4 } }, usage: { total_tokens: 'x' } }, req({}))).toEqual({
      usage: null,
      units: { searchUnits: 0 },
    });
    expect(accounting.estimate(req({ documents: 'nope' })).units).toEqual({ searchUnits: 0 });
  });
});
