import type { AnswerTransform, IrCitation, IrPart, IrStreamEvent, IrWebSearch } from '@switchboard/protocols';

const MARKER = /\[(\d{1,2})\]/g;
const CITED_TEXT_CHARS = 150;

/**
 * The citations of an answer's text: each `[n]` marker the model wrote (as the injected results ask) cites source n at
 * that span; an answer without markers cites every source over its whole text (it was written with them at hand).
 */
export function citationsOf(text: string, search: IrWebSearch): IrCitation[] {
  const marked = markedCitations(text, search);
  if (marked.length || !text) return marked;
  return search.sources.map((_, n) => cite(search, n, 0, text.length));
}

function markedCitations(text: string, search: IrWebSearch): IrCitation[] {
  const out: IrCitation[] = [];
  for (const m of text.matchAll(MARKER)) {
    const n = Number(m[1]) - 1;
    if (n >= 0 && n < search.sources.length) out.push(cite(search, n, m.index, m.index + m[0].length));
  }
  return out;
}

function cite(search: IrWebSearch, n: number, startIndex: number, endIndex: number): IrCitation {
  const s = search.sources[n];
  return { url: s.url, title: s.title, startIndex, endIndex, citedText: (s.snippet || s.title).slice(0, CITED_TEXT_CHARS) };
}

/**
 * The answer of a request the gateway searched for: the search shown first (each protocol's own slot: Anthropic's
 * server-tool blocks, a Responses `web_search_call`, Gemini's grounding metadata), its text's citations attached.
 */
export function citationTransform(search: IrWebSearch): AnswerTransform {
  let announced = false;
  let cited = false;
  let text = '';
  const announce = (): IrStreamEvent[] => {
    if (announced) return [];
    announced = true;
    return [{ type: 'web_search', search }];
  };
  const cite = (): IrStreamEvent[] => {
    if (cited) return [];
    cited = true;
    const citations = citationsOf(text, search);
    return citations.length ? [{ type: 'citations', citations }] : [];
  };
  return {
    event(ev) {
      switch (ev.type) {
        case 'start':
          return [ev, ...announce()];
        case 'text_delta':
          text += ev.text;
          return [...announce(), ev];
        case 'finish':
          return [...announce(), ...cite(), ev];
        case 'error':
        case 'done':
          return [ev];
        default:
          return [...announce(), ev];
      }
    },
    flush() {
      return [...announce(), ...cite()];
    },
    response(ir) {
      const anyMarker = ir.parts.some((p) => p.type === 'text' && markedCitations(p.text, search).length > 0);
      let first = true;
      const parts: IrPart[] = ir.parts.map((p) => {
        if (p.type !== 'text' || !p.text) return p;
        // without any marker, the first text part alone carries the whole-text citations
        const citations = anyMarker ? markedCitations(p.text, search) : first ? citationsOf(p.text, search) : [];
        first = false;
        return citations.length ? { ...p, citations } : p;
      });
      return { ...ir, parts, webSearch: search };
    },
  };
}
