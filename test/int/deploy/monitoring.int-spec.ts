// Grafana dashboards and Prometheus alert rules: every metric and label a query uses is one that
// libs/observability/src/metrics.ts registers (read from a fresh `new Metrics()`), the dashboards cover every
// Switchboard metric and the topics of the issue, panels use the provisioned datasource, alerts are well formed.
import { Metrics } from '../../../libs/observability/src/metrics';
import { DASHBOARD_DIR, arr, dashboardPanels, dashboardQueries, isObj, loadAlertRules, loadDashboards, obj, parseYaml, read, type Obj } from './deploy-files';
import { MetricCatalog, analyzePromql, analyzeVariableQuery, type MetricInfo } from './promql';

interface RegisteredMetric {
  name: string;
  type: string;
  labelNames?: readonly string[];
}

/** The metrics SPEC §7 asks for, as libs/observability/src/metrics.ts names them. */
const SPEC_METRICS = [
  'switchboard_requests_total',
  'switchboard_errors_total',
  'switchboard_request_duration_seconds',
  'switchboard_upstream_duration_seconds',
  'switchboard_time_to_first_token_seconds',
  'switchboard_gateway_overhead_seconds',
  'switchboard_tokens_total',
  'switchboard_cost_usd_total',
  'switchboard_retries_total',
  'switchboard_fallbacks_total',
  'switchboard_rate_limit_rejections_total',
  'switchboard_quota_rejections_total',
  'switchboard_channel_state',
  'switchboard_bans_active',
  'switchboard_bans_total',
  'switchboard_usage_records_buffered',
  'switchboard_usage_records_processed_total',
  'switchboard_dependency_up',
];

let catalog: MetricCatalog;
let switchboardMetrics: string[];

beforeAll(async () => {
  const m = new Metrics();
  const json = (await m.registry.getMetricsAsJSON()) as unknown as { name: string; type: string }[];
  const labels = new Map((m.registry.getMetricsAsArray() as unknown as RegisteredMetric[]).map((x) => [x.name, [...(x.labelNames ?? [])]]));
  const families = new Map<string, MetricInfo>(json.map((x) => [x.name, { name: x.name, type: String(x.type), labels: labels.get(x.name) ?? [] }]));
  catalog = new MetricCatalog(families);
  // The metrics Switchboard defines itself (not prom-client's default process metrics)
  switchboardMetrics = Object.values(m)
    .filter((v): v is { name: string } => isObj(v) && typeof (v as { name?: unknown }).name === 'string')
    .map((v) => (v as unknown as RegisteredMetric).name);
});

const dashboards = loadDashboards();
const rules = loadAlertRules();
const datasourceUid = String(
  obj(arr(obj(parseYaml(read('deploy/grafana/provisioning/datasources/prometheus.yml'), 'datasource'), 'datasources').datasources, 'datasources')[0], 'ds').uid,
);

describe('PromQL reading (the checker itself)', () => {
  test('finds metric names and labels, ignores functions, keywords, strings, ranges and numbers', () => {
    const a = analyzePromql(
      'histogram_quantile(0.95, sum by (le, channel) (rate(switchboard_upstream_duration_seconds_bucket{status_class!~"2xx|4xx", channel=~"$channel"}[$__rate_interval]))) > 1e-3 and on () up{job="x"} == bool 1 unless absent(foo_total offset 5m)',
    );
    expect(a.selectors.map((s) => s.metric).sort()).toEqual(['foo_total', 'switchboard_upstream_duration_seconds_bucket', 'up']);
    expect(a.selectors.find((s) => s.metric === 'switchboard_upstream_duration_seconds_bucket')!.labels).toEqual(['status_class', 'channel']);
    expect(a.grouping).toEqual(['le', 'channel']);
    expect(a.problems).toEqual([]);
    expect(analyzePromql('sum(rate(x_total[5m])').problems).toEqual([expect.stringMatching(/unclosed/)]);
    expect(analyzeVariableQuery('label_values(switchboard_requests_total, protocol)').selectors.map((s) => s.metric)).toEqual(['switchboard_requests_total']);
  });

  test('flags unknown metrics, wrong suffixes and labels a metric does not have', () => {
    expect(catalog.check('sum(rate(switchboard_requests_total[5m]))')).toEqual([]);
    expect(catalog.check('rate(switchboard_request_total[5m])')).toEqual([expect.stringMatching(/unknown metric "switchboard_request_total"/)]);
    expect(catalog.check('rate(switchboard_request_duration_seconds_total[5m])').join()).toMatch(/unknown metric/);
    expect(catalog.check('switchboard_requests_total_bucket').join()).toMatch(/unknown metric/);
    expect(catalog.check('sum by (le) (rate(switchboard_request_duration_seconds_bucket[5m]))')).toEqual([]);
    expect(catalog.check('rate(switchboard_errors_total{status_class="5xx"}[5m])').join()).toMatch(/no label "status_class"/);
    expect(catalog.check('sum by (user) (rate(switchboard_requests_total[5m]))').join()).toMatch(/grouping by "user"/);
  });
});

describe('Grafana dashboards', () => {
  test('are provisioned from the folder the provider reads, with unique uids', () => {
    expect(dashboards.length).toBeGreaterThanOrEqual(1);
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const d of dashboards) {
      expect(typeof d.json.title).toBe('string');
      expect(Number(d.json.schemaVersion)).toBeGreaterThanOrEqual(36);
    }
    expect(DASHBOARD_DIR).toBe('deploy/grafana/dashboards');
  });

  test.each(dashboards.map((d) => [d.file, d] as const))('%s: panels use the provisioned datasource uid, have unique ids and fit the grid', (_f, d) => {
    const panels = dashboardPanels(d);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const boxes: { title: string; x: number; y: number; w: number; h: number }[] = [];
    for (const p of panels) {
      const g = obj(p.gridPos, `${String(p.title)} gridPos`) as { x: number; y: number; w: number; h: number };
      expect({ title: p.title, fits: g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0 }).toEqual({ title: p.title, fits: true });
      for (const b of boxes) {
        const overlap = g.x < b.x + b.w && b.x < g.x + g.w && g.y < b.y + b.h && b.y < g.y + g.h;
        expect({ a: p.title, b: b.title, overlap }).toEqual({ a: p.title, b: b.title, overlap: false });
      }
      boxes.push({ title: String(p.title), ...g });
      if (p.type === 'row') continue;
      expect(obj(p.datasource, 'datasource').uid).toBe(datasourceUid);
      const targets = arr(p.targets, `${String(p.title)} targets`).map((t) => obj(t, 'target'));
      expect(targets.length).toBeGreaterThan(0);
      const refIds = targets.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of targets) expect(obj(t.datasource ?? p.datasource, 'target datasource').uid).toBe(datasourceUid);
    }
    const variables = isObj(d.json.templating) ? arr(d.json.templating.list, 'templating') : [];
    for (const v of variables.map((x) => obj(x, 'variable')).filter((x) => x.type === 'query')) {
      expect(obj(v.datasource, 'variable datasource').uid).toBe(datasourceUid);
    }
  });

  test('every query uses metrics and labels that Switchboard registers (checked against new Metrics())', () => {
    const problems: string[] = [];
    for (const d of dashboards) {
      for (const q of dashboardQueries(d)) {
        const analysis = q.variable ? analyzeVariableQuery(q.expr) : analyzePromql(q.expr);
        problems.push(...catalog.check(q.expr, analysis).map((p) => `${q.where}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });

  test('histogram_quantile is taken over _bucket rates grouped by le', () => {
    for (const d of dashboards) {
      for (const q of dashboardQueries(d).filter((x) => x.expr.includes('histogram_quantile'))) {
        expect({ where: q.where, ok: /histogram_quantile\(\s*0?\.\d+\s*,\s*sum by \(le[,)][\s\S]*rate\([a-z_]+_bucket[{[]/.test(q.expr) }).toEqual({
          where: q.where,
          ok: true,
        });
      }
    }
  });

  test('cover every metric of SPEC §7, the four latency percentiles and each topic of the issue', () => {
    const used = new Set<string>();
    const titles: string[] = [];
    for (const d of dashboards) {
      for (const q of dashboardQueries(d)) for (const s of analyzePromql(q.expr).selectors) used.add(catalog.resolve(s.metric)?.family.name ?? s.metric);
      for (const p of dashboardPanels(d)) titles.push(String(p.title).toLowerCase());
    }
    // SPEC §7's list (metrics added later are checked for existence above, but need not have a panel yet)
    const required = switchboardMetrics.filter((m) => SPEC_METRICS.includes(m));
    expect(required.sort()).toEqual([...SPEC_METRICS].sort());
    expect(required.filter((m) => !used.has(m))).toEqual([]);
    for (const m of [
      'switchboard_nodejs_eventloop_lag_p99_seconds',
      'switchboard_process_resident_memory_bytes',
      'switchboard_process_cpu_seconds_total',
      // the endpoint families (issue 14): requests and units per family
      'switchboard_endpoint_requests_total',
      'switchboard_units_total',
    ]) {
      expect(used.has(m)).toBe(true);
    }
    const quantiles = dashboards.flatMap((d) => dashboardQueries(d)).filter((q) => q.expr.includes('histogram_quantile'));
    for (const h of ['request_duration', 'time_to_first_token', 'gateway_overhead', 'upstream_duration']) {
      expect({ histogram: h, percentiles: quantiles.some((q) => q.expr.includes(`switchboard_${h}_seconds_bucket`)) }).toEqual({
        histogram: h,
        percentiles: true,
      });
    }
    for (const topic of [
      'traffic',
      'latency',
      'errors',
      'channel health',
      'tokens and cost',
      'limits',
      'endpoint families',
      'usage pipeline',
      'dependencies',
      'process',
    ]) {
      expect({ topic, row: titles.includes(topic) }).toEqual({ topic, row: true });
    }
  });
});

describe('Prometheus alert rules', () => {
  test('every expression uses metrics and labels that Switchboard registers', () => {
    const problems = rules.flatMap((r) => catalog.check(r.expr).map((p) => `${r.group}/${r.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  test('cover the issue: error rate, channel down/banned, quota low, usage buffer and consumers, dependencies, event loop', () => {
    const names = new Set(rules.map((r) => r.name));
    for (const a of [
      'SwitchboardHighErrorRate',
      'SwitchboardChannelDown',
      'SwitchboardChannelBanned',
      'SwitchboardQuotaRejectionsSpike',
      'SwitchboardUsageBufferGrowing',
      'SwitchboardUsageConsumerStalled',
      'SwitchboardDependencyDown',
      'SwitchboardEventLoopLag',
    ]) {
      expect({ alert: a, defined: names.has(a) }).toEqual({ alert: a, defined: true });
    }
    const stalled = rules.filter((r) => r.name === 'SwitchboardUsageConsumerStalled').map((r) => obj(r.rule.labels, 'labels').consumer);
    expect(stalled.sort()).toEqual(['billing', 'log-writer']);
  });

  test('are well formed: severity, summary, a duration for `for`, unique name+labels', () => {
    const seen = new Set<string>();
    for (const r of rules) {
      const rule: Obj = r.rule;
      expect({ alert: r.name, ok: typeof rule.alert === 'string' && r.expr.trim().length > 0 }).toEqual({ alert: r.name, ok: true });
      const labels = obj(rule.labels, `${r.name} labels`);
      expect({ alert: r.name, severity: labels.severity }).toEqual({ alert: r.name, severity: expect.stringMatching(/^(warning|critical)$/) });
      expect({ alert: r.name, summary: typeof obj(rule.annotations, `${r.name} annotations`).summary }).toEqual({ alert: r.name, summary: 'string' });
      if (rule.for !== undefined) expect(String(rule.for)).toMatch(/^(\d+(ms|s|m|h|d|w|y))+$/);
      const key = `${r.name} ${JSON.stringify(labels)}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      // annotation templates only use labels the result keeps: after an aggregation, those it groups by
      const aggregated = /\b(sum|min|max|avg|count|topk|bottomk|quantile|stddev|group)\s*(by\b|without\b|\()/.test(r.expr);
      const grouping = new Set(analyzePromql(r.expr).grouping);
      for (const m of JSON.stringify(rule.annotations).matchAll(/\$labels\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        expect({ alert: r.name, label: m[1], kept: !aggregated || grouping.has(m[1]) }).toEqual({ alert: r.name, label: m[1], kept: true });
      }
    }
  });
});
