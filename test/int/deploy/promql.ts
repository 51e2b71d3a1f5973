// Just enough PromQL reading to check dashboards and alert rules against the metrics Switchboard registers:
// which series selectors an expression uses (metric name + label matchers) and which labels it groups by.
// Not a full parser: it also checks that brackets balance, which catches most broken edits.

export interface Selector {
  metric: string;
  /** label names used in `{…}` matchers */
  labels: string[];
}
export interface PromqlAnalysis {
  selectors: Selector[];
  /** labels named in by / without / on / ignoring / group_left / group_right clauses */
  grouping: string[];
  problems: string[];
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'inf', 'nan', 'atan2']);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)/g;

/** Grafana's built-in variables in range position; `$var` elsewhere only appears inside quoted matchers. */
function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{?__(rate_interval|interval|range)(?:_ms|_s)?\}?/g, '5m');
}

export function analyzePromql(input: string): PromqlAnalysis {
  const problems: string[] = [];
  let expr = substituteGrafanaVariables(input);
  if (/\$\{?[A-Za-z_]/.test(expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""'))) {
    problems.push('a template variable is used outside a quoted label value');
  }
  // 1. strings (label values, label_replace arguments) cannot hold names
  expr = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  // 2. brackets must balance
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const c of expr) {
    if ('([{'.includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) problems.push(`unbalanced "${c}"`);
  }
  if (stack.length) problems.push(`unclosed "${stack.join('')}"`);
  // 3. selectors with matchers: name{a="x", b=~"y"} or {__name__=…}
  const selectors: Selector[] = [];
  expr = expr.replace(/([A-Za-z_:][A-Za-z0-9_:]*)?\s*\{([^{}]*)\}/g, (_m, name: string | undefined, body: string) => {
    const labels = [...body.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)/g)].map((m) => m[1]);
    if (!name) problems.push(`selector without a metric name: {${body}}`);
    else selectors.push({ metric: name, labels });
    return ' __SELECTOR__ ';
  });
  // 4. grouping clauses
  const grouping: string[] = [];
  expr = expr.replace(GROUPING, (_m, _kw, list: string) => {
    for (const l of list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      grouping.push(l);
    return ' ';
  });
  // 5. ranges, offsets, @ modifiers, numbers
  expr = expr
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+-?[0-9a-z]+/g, ' ')
    .replace(/@\s*(start\(\)|end\(\)|[0-9.]+)/g, ' ')
    .replace(/(?<![A-Za-z0-9_:])(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)(?![A-Za-z0-9_:])/g, ' ');
  // 6. remaining identifiers: functions/aggregations are followed by "(", the rest are bare metric names
  for (const m of expr.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    if (word === '__SELECTOR__' || KEYWORDS.has(word.toLowerCase())) continue;
    const after = expr.slice(m.index + word.length).trimStart();
    if (after.startsWith('(')) continue;
    selectors.push({ metric: word, labels: [] });
  }
  return { selectors, grouping, problems };
}

/** Metric names of a Grafana variable query: `label_values(metric, label)`, `query_result(expr)` or plain PromQL. */
export function analyzeVariableQuery(query: string): PromqlAnalysis & { labelValuesOf?: string } {
  const lv = /^\s*label_values\(\s*(?:([^,]+?)\s*,\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(query);
  if (lv) {
    const a = lv[1] ? analyzePromql(lv[1]) : { selectors: [], grouping: [], problems: [] };
    return { ...a, grouping: [...a.grouping, lv[2]], labelValuesOf: lv[2] };
  }
  const qr = /^\s*query_result\(([\s\S]*)\)\s*$/.exec(query);
  return analyzePromql(qr ? qr[1] : query);
}

// ---------------------------------------------------------------------------------------------- catalog

export interface MetricInfo {
  name: string;
  type: string;
  labels: string[];
}

/** Resolves selector names to exposed metric families (histogram and summary series carry suffixes). */
export class MetricCatalog {
  constructor(
    readonly families: Map<string, MetricInfo>,
    /** labels Prometheus adds to every scraped series (job, instance, and our `service` target label) */
    readonly targetLabels: readonly string[] = ['job', 'instance', 'service'],
    /** series Prometheus itself produces per target */
    readonly synthetic: ReadonlySet<string> = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']),
  ) {}

  resolve(series: string): { family: MetricInfo; suffix: string } | undefined {
    const exact = this.families.get(series);
    if (exact && exact.type !== 'histogram' && exact.type !== 'summary') return { family: exact, suffix: '' };
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (!series.endsWith(suffix)) continue;
      const f = this.families.get(series.slice(0, -suffix.length));
      if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return { family: f, suffix };
    }
    if (exact && exact.type === 'summary') return { family: exact, suffix: '' };
    return undefined;
  }

  /** Problems of one expression: unknown metrics, labels the metrics do not have. */
  check(expr: string, analysis = analyzePromql(expr)): string[] {
    const problems = analysis.problems.map((p) => `${p} in: ${expr}`);
    const allowed = new Set<string>(this.targetLabels);
    if (analysis.selectors.length === 0) problems.push(`no metric used in: ${expr}`);
    for (const s of analysis.selectors) {
      if (this.synthetic.has(s.metric)) {
        for (const l of s.labels) if (!this.targetLabels.includes(l)) problems.push(`label "${l}" on ${s.metric} (only target labels) in: ${expr}`);
        continue;
      }
      const r = this.resolve(s.metric);
      if (!r) {
        problems.push(`unknown metric "${s.metric}" in: ${expr}`);
        continue;
      }
      const labels = new Set([
        ...r.family.labels,
        ...this.targetLabels,
        ...(r.suffix === '_bucket' ? ['le'] : []),
        ...(r.family.type === 'summary' && !r.suffix ? ['quantile'] : []),
      ]);
      for (const l of labels) allowed.add(l);
      for (const l of s.labels) if (!labels.has(l)) problems.push(`metric ${s.metric} has no label "${l}" in: ${expr}`);
    }
    for (const l of analysis.grouping) if (!allowed.has(l)) problems.push(`grouping by "${l}", a label none of the metrics has, in: ${expr}`);
    return problems;
  }
}

/** Families from a Prometheus text exposition (what GET /metrics returns). */
export function familiesFromExposition(text: string): Map<string, MetricInfo> {
  const families = new Map<string, MetricInfo>();
  for (const m of text.matchAll(/^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/gm)) {
    families.set(m[1], { name: m[1], type: m[2], labels: [] });
  }
  for (const m of text.matchAll(/^([A-Za-z_:][A-Za-z0-9_:]*)\{([^}]*)\}/gm)) {
    const base = m[1].replace(/_(bucket|sum|count)$/, '');
    const f = families.get(m[1]) ?? families.get(base);
    if (!f) continue;
    for (const l of m[2].matchAll(/([A-Za-z_][A-Za-z0-9_]*)="/g)) if (l[1] !== 'le' && l[1] !== 'quantile' && !f.labels.includes(l[1])) f.labels.push(l[1]);
  }
  return families;
}
