import { decodeRequest, type WireProtocol } from '@switchboard/protocols';

type Body = Record<string, unknown>;

/**
 * How each chat protocol asks for web search, and where the results go. `strip`: null when the body does not ask for
 * search, else the body without the search tool (an upstream that does not know the tool refuses it; the gateway
 * searches instead). `inject`: the body with the results as system text.
 */
export interface SearchDialect {
  strip(body: Body): Body | null;
  inject(body: Body, text: string): Body;
}

const isObject = (v: unknown): v is Body => !!v && typeof v === 'object' && !Array.isArray(v);

/** A tools array without the entries `isSearch` matches; null when none does. */
function withoutSearchTools(tools: unknown, isSearch: (t: Body) => boolean): unknown[] | null {
  if (!Array.isArray(tools)) return null;
  const list = tools as unknown[];
  if (!list.some((t) => isObject(t) && isSearch(t))) return null;
  return list.filter((t) => !(isObject(t) && isSearch(t)));
}

/** Sets or removes `tools` (an empty list is refused by some upstreams) and, with it, a tool choice that named search. */
function setTools(body: Body, tools: unknown[], choiceNamesSearch: (choice: unknown) => boolean): Body {
  const out: Body = { ...body, tools };
  if (!tools.length) {
    delete out.tools;
    delete out.tool_choice;
  } else if (choiceNamesSearch(out.tool_choice)) delete out.tool_choice;
  return out;
}

const RESPONSES_SEARCH = /^web_search(_preview)?(_\d{4}_\d{2}_\d{2})?$/;
const ANTHROPIC_SEARCH = /^web_search_\d{8}$/;
const GEMINI_SEARCH_KEYS = ['googleSearch', 'google_search', 'googleSearchRetrieval', 'google_search_retrieval'];

/** Appends to a system prompt that is a string or a list of text blocks. */
function appendSystem(system: unknown, text: string): unknown {
  if (Array.isArray(system)) return [...(system as unknown[]), { type: 'text', text }];
  return typeof system === 'string' && system ? `${system}\n\n${text}` : text;
}

export const SEARCH_DIALECTS: Partial<Record<WireProtocol, SearchDialect>> = {
  'openai-chat': {
    strip(body) {
      if (body.web_search_options === undefined || body.web_search_options === null) return null;
      const out = { ...body };
      delete out.web_search_options;
      return out;
    },
    inject(body, text) {
      const messages = Array.isArray(body.messages) ? [...(body.messages as unknown[])] : [];
      // after the client's own leading instructions, so theirs still come first
      let i = 0;
      while (i < messages.length && isObject(messages[i]) && ['system', 'developer'].includes((messages[i] as Body).role as string)) i++;
      messages.splice(i, 0, { role: 'system', content: text });
      return { ...body, messages };
    },
  },
  'openai-responses': {
    strip(body) {
      const tools = withoutSearchTools(body.tools, (t) => typeof t.type === 'string' && RESPONSES_SEARCH.test(t.type));
      if (!tools) return null;
      const out = setTools(body, tools, (c) => isObject(c) && typeof c.type === 'string' && RESPONSES_SEARCH.test(c.type));
      if (Array.isArray(out.include)) out.include = (out.include as unknown[]).filter((x) => typeof x !== 'string' || !x.startsWith('web_search_call.'));
      return out;
    },
    inject(body, text) {
      return { ...body, instructions: appendSystem(typeof body.instructions === 'string' ? body.instructions : undefined, text) };
    },
  },
  anthropic: {
    strip(body) {
      const tools = withoutSearchTools(body.tools, (t) => typeof t.type === 'string' && ANTHROPIC_SEARCH.test(t.type));
      if (!tools) return null;
      const out = setTools(body, tools, (c) => isObject(c) && c.type === 'tool' && c.name === 'web_search');
      out.messages = withoutSearchHistory(out.messages);
      return out;
    },
    inject(body, text) {
      return { ...body, system: appendSystem(body.system, text) };
    },
  },
  gemini: {
    strip(body) {
      if (!Array.isArray(body.tools) || !body.tools.some((t) => isObject(t) && GEMINI_SEARCH_KEYS.some((k) => k in t))) return null;
      const tools = (body.tools as unknown[])
        .map((t) => {
          if (!isObject(t)) return t;
          const rest = { ...t };
          for (const k of GEMINI_SEARCH_KEYS) delete rest[k];
          return rest;
        })
        .filter((t) => !isObject(t) || Object.keys(t).length > 0);
      const out: Body = { ...body, tools };
      if (!tools.length) {
        delete out.tools;
        delete out.toolConfig;
        delete out.tool_config;
      }
      return out;
    },
    inject(body, text) {
      const key = 'system_instruction' in body && !('systemInstruction' in body) ? 'system_instruction' : 'systemInstruction';
      const current = body[key];
      const parts =
        isObject(current) && Array.isArray(current.parts) ? [...(current.parts as unknown[])] : typeof current === 'string' ? [{ text: current }] : [];
      return { ...body, [key]: { ...(isObject(current) ? current : {}), parts: [...parts, { text }] } };
    },
  },
};

/**
 * An Anthropic conversation replayed with an earlier answer's search blocks (what this plugin or Anthropic's own tool
 * returned): those blocks and text citations removed, since only Anthropic's own search could take them back.
 */
function withoutSearchHistory(messages: unknown): unknown {
  if (!Array.isArray(messages)) return messages;
  return (messages as unknown[]).map((m) => {
    if (!isObject(m) || m.role !== 'assistant' || !Array.isArray(m.content)) return m;
    const content = (m.content as unknown[])
      .filter((b) => !(isObject(b) && (b.type === 'server_tool_use' || b.type === 'web_search_tool_result')))
      .map((b) => {
        if (!isObject(b) || !('citations' in b)) return b;
        const rest = { ...b };
        delete rest.citations;
        return rest;
      });
    return { ...m, content };
  });
}

const MAX_QUERY_CHARS = 400;

/** The user's last question: the text of the last user message (over the IR, so every protocol reads alike). */
export function lastQuestion(protocol: WireProtocol, body: Body): string | null {
  let messages;
  try {
    messages = decodeRequest(protocol, body).messages;
  } catch {
    return null;
  }
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'user') continue;
    const text = m.parts
      .map((p) => (p.type === 'text' ? p.text : ''))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (text) return text.slice(0, MAX_QUERY_CHARS);
    // a user turn of tool results only: the question is further back
  }
  return null;
}
