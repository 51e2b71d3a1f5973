import type { IrCitation, IrResponse, IrStreamEvent, IrWebSearch } from '../core/ir.types';
import { encodeSseEvent } from '../core/sse-encoder';
import { SseParser } from '../core/sse-parser';
import type { ConvertContext } from '../protocol.types';
import { encodeResponse } from './response-codecs';
import { createStreamTranslator } from './stream-translator';
import type { AnswerTransform } from './answer-transform';

const ctx = (stream: boolean): ConvertContext => ({ upstreamModel: 'm', requestedModel: 'm', stream, requestId: 'req-ws', createdAt: 1700000000 });
const search: IrWebSearch = { id: 'ws1', query: 'q', sources: [{ url: 'https://a.example/', title: 'A', snippet: 'alpha' }] };
const citation: IrCitation = { url: 'https://a.example/', title: 'A', startIndex: 3, endIndex: 6, citedText: 'alpha' };
const answer: IrResponse = { parts: [{ type: 'text', text: 'hé [1]', citations: [citation] }], stopReason: 'stop', usage: null, webSearch: search };

/** The gateway's web search in each protocol's own slots: the search itself and the answer's citations (IR → wire). */
describe('web search answers in the client protocols', () => {
  it('openai chat: message.annotations url_citation', () => {
    const out = encodeResponse('openai-chat', answer, ctx(false)) as { choices: { message: { annotations: unknown } }[] };
    expect(out.choices[0].message.annotations).toEqual([
      { type: 'url_citation', url_citation: { url: 'https://a.example/', title: 'A', start_index: 3, end_index: 6 } },
    ]);
  });

  it('responses: a web_search_call item, then output_text annotations', () => {
    const out = encodeResponse('openai-responses', answer, ctx(false)) as { output: Record<string, unknown>[] };
    expect(out.output[0]).toEqual({
      id: 'ws_ws1',
      type: 'web_search_call',
      status: 'completed',
      action: { type: 'search', query: 'q', sources: [{ type: 'url', url: 'https://a.example/' }] },
    });
    expect(out.output[1]).toMatchObject({
      type: 'message',
      content: [{ type: 'output_text', annotations: [{ type: 'url_citation', url: 'https://a.example/', title: 'A', start_index: 3, end_index: 6 }] }],
    });
  });

  it('anthropic: server_tool_use and web_search_tool_result blocks, text citations, the search counted in usage', () => {
    const out = encodeResponse('anthropic', answer, ctx(false)) as { content: unknown[]; usage: Record<string, unknown> };
    expect(out.content).toEqual([
      { type: 'server_tool_use', id: 'srvtoolu_ws1', name: 'web_search', input: { query: 'q' } },
      {
        type: 'web_search_tool_result',
        tool_use_id: 'srvtoolu_ws1',
        content: [{ type: 'web_search_result', url: 'https://a.example/', title: 'A', encrypted_content: '', page_age: null }],
      },
      {
        type: 'text',
        text: 'hé [1]',
        citations: [{ type: 'web_search_result_location', url: 'https://a.example/', title: 'A', encrypted_index: '', cited_text: 'alpha' }],
      },
    ]);
    expect(out.usage.server_tool_use).toEqual({ web_search_requests: 1 });
  });

  it('gemini: groundingMetadata, segment offsets in UTF-8 bytes', () => {
    const out = encodeResponse('gemini', answer, ctx(false)) as { candidates: { groundingMetadata: unknown }[] };
    expect(out.candidates[0].groundingMetadata).toEqual({
      webSearchQueries: ['q'],
      groundingChunks: [{ web: { uri: 'https://a.example/', title: 'A' } }],
      // 'hé ' is 4 bytes: the marker spans bytes 4–7
      groundingSupports: [{ segment: { startIndex: 4, endIndex: 7, text: '[1]' }, groundingChunkIndices: [0] }],
    });
  });

  /** Adds the search after `start` and the citations before `finish`, as web-search's transform does. */
  const announcing: AnswerTransform = {
    event: (ev) =>
      ev.type === 'start'
        ? [ev, { type: 'web_search', search }]
        : ev.type === 'finish'
          ? ([{ type: 'citations', citations: [citation] }, ev] as IrStreamEvent[])
          : [ev],
    flush: () => [],
    response: (ir) => ir,
  };
  const upstream =
    encodeSseEvent('openai-chat', {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { role: 'assistant', content: 'hé [1]' }, finish_reason: null }],
    }) +
    encodeSseEvent('openai-chat', {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    }) +
    encodeSseEvent('openai-chat', '[DONE]');
  const eventsOf = (wire: string): Record<string, unknown>[] =>
    new SseParser(false)
      .push(wire)
      .filter((e) => e.data !== '[DONE]')
      .map((e) => JSON.parse(e.data) as Record<string, unknown>);

  it('anthropic stream: the search blocks first (indices 0, 1), then the text block with a citations_delta', () => {
    const t = createStreamTranslator('openai-chat', 'anthropic', ctx(true), undefined, [announcing]);
    const events = eventsOf(t.push(upstream) + t.end());
    const blocks = events.filter((e) => e.type === 'content_block_start').map((e) => [e.index, (e.content_block as { type: string }).type]);
    expect(blocks).toEqual([
      [0, 'server_tool_use'],
      [1, 'web_search_tool_result'],
      [2, 'text'],
    ]);
    expect(events.find((e) => (e.delta as { type?: string } | undefined)?.type === 'input_json_delta')).toMatchObject({
      index: 0,
      delta: { partial_json: '{"query":"q"}' },
    });
    expect(events.find((e) => (e.delta as { type?: string } | undefined)?.type === 'citations_delta')).toMatchObject({
      index: 2,
      delta: { citation: { type: 'web_search_result_location', url: 'https://a.example/' } },
    });
  });

  it('openai chat stream: an annotations delta; gemini stream: grounding on the last chunk; responses stream: annotation.added', () => {
    const chat = createStreamTranslator('openai-chat', 'openai-chat', ctx(true), undefined, [announcing]);
    const chunks = eventsOf(chat.push(upstream) + chat.end()) as { choices: { delta: { annotations?: unknown[] } }[] }[];
    expect(chunks.flatMap((c) => c.choices[0]?.delta.annotations ?? [])).toEqual([
      { type: 'url_citation', url_citation: { url: 'https://a.example/', title: 'A', start_index: 3, end_index: 6 } },
    ]);

    const gemini = createStreamTranslator('openai-chat', 'gemini', ctx(true), undefined, [announcing]);
    const last = eventsOf(gemini.push(upstream) + gemini.end()).at(-1) as { candidates: { groundingMetadata?: { groundingSupports: unknown[] } }[] };
    expect(last.candidates[0].groundingMetadata?.groundingSupports).toHaveLength(1);

    const responses = createStreamTranslator('openai-chat', 'openai-responses', ctx(true), undefined, [announcing]);
    const rev = eventsOf(responses.push(upstream) + responses.end());
    expect(rev.find((e) => e.type === 'response.output_item.added')).toMatchObject({ output_index: 0, item: { type: 'web_search_call' } });
    expect(rev.find((e) => e.type === 'response.output_text.annotation.added')).toMatchObject({
      output_index: 1,
      annotation_index: 0,
      annotation: { url: 'https://a.example/' },
    });
    const done = rev.find((e) => e.type === 'response.completed') as { response: { output: { type: string }[] } };
    expect(done.response.output.map((o) => o.type)).toEqual(['web_search_call', 'message']);
  });
});
