/**
 * An OpenAPI 3 document as MCP tools (pure, no I/O): one tool per operation, named by its operationId (else
 * `<method>_<path parts>`), whose input schema holds the operation's parameters by name and its JSON request body as
 * `body`. Local `$ref`s are inlined (a cycle becomes `{}`): MCP clients get self-contained schemas.
 */

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

export interface ToolArgument {
  /** the input schema's property */
  arg: string;
  /** the parameter's own name and where it goes */
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
}

export interface OpenApiTool {
  name: string;
  description?: string;
  inputSchema: { type: 'object'; properties: Record<string, Json>; required?: string[] };
  method: string;
  path: string;
  parameters: ToolArgument[];
  /** the JSON request body goes in the `body` argument */
  body: boolean;
}

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);

/** The value a `#/a/b` pointer names in the document, or undefined. */
function pointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(at) && !Array.isArray(at)) return undefined;
    at = (at as Json)[key];
  }
  return at;
}

/** A copy with every local `$ref` replaced by what it names; a ref back into its own chain becomes `{}`. */
export function inlineRefs(doc: Json, value: unknown, chain: readonly string[] = [], depth = 0): unknown {
  if (depth > 64) return {};
  if (Array.isArray(value)) return value.map((v) => inlineRefs(doc, v, chain, depth + 1));
  if (!isObject(value)) return value;
  if (typeof value.$ref === 'string') {
    const ref = value.$ref;
    if (chain.includes(ref)) return {};
    const target = pointer(doc, ref);
    return target === undefined ? {} : inlineRefs(doc, target, [...chain, ref], depth + 1);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inlineRefs(doc, v, chain, depth + 1)]));
}

const toolName = (s: string) =>
  s
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64) || 'operation';

function jsonBodySchema(body: Json): Json | null {
  const content = isObject(body.content) ? body.content : {};
  const type = Object.keys(content).find((t) => /^application\/(.+\+)?json/.test(t)) ?? Object.keys(content)[0];
  if (!type) return null;
  const media = content[type];
  return isObject(media) && isObject(media.schema) ? media.schema : {};
}

/** Every operation of the document as a tool, in document order; names are unique. */
export function toolsFromOpenApi(document: Json): OpenApiTool[] {
  const doc = document;
  const tools: OpenApiTool[] = [];
  const taken = new Set<string>();
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = inlineRefs(doc, rawItem);
    if (!isObject(item)) continue;
    const shared = listOf(item.parameters);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      // an operation's parameter overrides the path item's one of the same name and place
      const params = new Map<string, Json>();
      for (const p of [...shared, ...listOf(op.parameters)])
        if (isObject(p) && typeof p.name === 'string' && typeof p.in === 'string') params.set(`${p.in}:${p.name}`, p);
      const properties: Record<string, Json> = {};
      const required: string[] = [];
      const parameters: ToolArgument[] = [];
      for (const p of params.values()) {
        const where = p.in as ToolArgument['in'];
        if (!['path', 'query', 'header', 'cookie'].includes(where)) continue;
        let arg = p.name as string;
        if (arg in properties || arg === 'body') arg = `${where}_${arg}`;
        properties[arg] = {
          ...(isObject(p.schema) ? p.schema : { type: 'string' }),
          ...(typeof p.description === 'string' ? { description: p.description } : {}),
        };
        if (p.required === true || where === 'path') required.push(arg);
        parameters.push({ arg, name: p.name as string, in: where });
      }
      const body = isObject(op.requestBody) ? jsonBodySchema(op.requestBody) : null;
      if (body) {
        properties.body = {
          ...body,
          ...(typeof (op.requestBody as Json).description === 'string' ? { description: (op.requestBody as Json).description } : {}),
        };
        if ((op.requestBody as Json).required === true) required.push('body');
      }
      let name = toolName(typeof op.operationId === 'string' ? op.operationId : `${method}_${path.replace(/[{}]/g, '')}`);
      for (let i = 2; taken.has(name); i++) name = `${name.slice(0, 60)}_${i}`;
      taken.add(name);
      const text = [op.summary, op.description].filter((s): s is string => typeof s === 'string' && s.length > 0);
      tools.push({
        name,
        ...(text.length ? { description: text.join('\n\n') } : {}),
        inputSchema: { type: 'object', properties, ...(required.length ? { required } : {}) },
        method: method.toUpperCase(),
        path,
        parameters,
        body: body !== null,
      });
    }
  }
  return tools;
}

/** The document's first server URL with its variables at their defaults, resolved against where the document was read. */
export function serverUrlOf(document: Json, documentUrl?: string): string | null {
  const first = Array.isArray(document.servers) ? document.servers.find(isObject) : undefined;
  if (!first || typeof first.url !== 'string') return documentUrl ? new URL('/', documentUrl).toString() : null;
  const vars = isObject(first.variables) ? first.variables : {};
  const url = first.url.replace(/\{([^}]+)\}/g, (_, v: string) => {
    const spec = vars[v];
    const d = isObject(spec) ? spec.default : undefined;
    return typeof d === 'string' ? d : '';
  });
  try {
    return new URL(url, documentUrl).toString();
  } catch {
    return null;
  }
}

export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The HTTP request a call of the tool makes against `baseUrl` with the given arguments and the server's headers. */
export function requestOf(tool: OpenApiTool, baseUrl: string, args: Json, headers: Record<string, string>): HttpCall {
  let path = tool.path;
  const query = new URLSearchParams();
  const out: Record<string, string> = {};
  const cookies: string[] = [];
  const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  // a segment of dots would climb the server's path when the URL is normalised
  const segment = (v: string) => (/^\.+$/.test(v) ? v.replace(/\./g, '%2E') : encodeURIComponent(v));
  for (const p of tool.parameters) {
    const v = args[p.arg];
    if (v === undefined || v === null) continue;
    if (p.in === 'path') path = path.split(`{${p.name}}`).join(segment(str(v)));
    else if (p.in === 'query') for (const one of Array.isArray(v) ? v : [v]) query.append(p.name, str(one));
    else if (p.in === 'header') out[p.name] = str(v);
    else cookies.push(`${p.name}=${encodeURIComponent(str(v))}`);
  }
  if (cookies.length) out.cookie = cookies.join('; ');
  // the server's configured headers (its credentials) win over a client's header arguments
  const lower = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
  for (const h of Object.keys(out)) if (lower.has(h.toLowerCase())) delete out[h];
  Object.assign(out, headers);
  const qs = query.toString();
  const url = `${baseUrl.replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`;
  if (tool.body && args.body !== undefined) {
    out['content-type'] = 'application/json';
    return { method: tool.method, url, headers: out, body: JSON.stringify(args.body) };
  }
  return { method: tool.method, url, headers: out };
}
