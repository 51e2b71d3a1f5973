// The dashboards and alert rules against a LIVE scrape: boots the built standalone process (`npm start`'s
// dist/apps/standalone/src/main.js; run `node scripts/build.mjs` first) and reads GET /metrics, as Prometheus would.
import fs from 'node:fs';
import path from 'node:path';
import { startStandalone, type System } from '../../support/harness';
import { ROOT, dashboardQueries, loadAlertRules, loadDashboards } from './deploy-files';
import { MetricCatalog, analyzePromql, analyzeVariableQuery, familiesFromExposition } from './promql';

jest.setTimeout(60_000);

describe('GET /metrics of a running gateway', () => {
  let system: System | undefined;
  let exposition = '';
  let contentType = '';

  beforeAll(async () => {
    const entry = path.join(ROOT, 'dist/apps/standalone/src/main.js');
    if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`node scripts/build.mjs\` (npm test does) first`);
    system = await startStandalone();
    // readiness first, so the dependency gauges have values, as under a kubelet/compose probe
    await fetch(`${system.url}/health/ready`);
    const res = await fetch(`${system.url}/metrics`);
    expect(res.status).toBe(200);
    contentType = res.headers.get('content-type') ?? '';
    exposition = await res.text();
  });
  afterAll(async () => {
    await system?.stop();
    if (system) fs.rmSync(system.dataDir, { recursive: true, force: true });
  });

  test('is Prometheus text with switchboard_ names (application and process metrics)', () => {
    expect(contentType).toMatch(/^text\/plain/);
    const families = familiesFromExposition(exposition);
    expect(families.get('switchboard_requests_total')?.type).toBe('counter');
    expect(families.get('switchboard_request_duration_seconds')?.type).toBe('histogram');
    expect(families.get('switchboard_nodejs_eventloop_lag_p99_seconds')?.type).toBe('gauge');
    expect(families.get('switchboard_process_resident_memory_bytes')?.type).toBe('gauge');
    for (const name of families.keys()) expect(name.startsWith('switchboard_')).toBe(true);
  });

  test('every metric a dashboard panel, variable or alert rule uses is exposed', () => {
    // Label sets are only visible for series that have values, so this compares names; labels are checked
    // against the registry definitions in monitoring.int-spec.ts.
    const catalog = new MetricCatalog(familiesFromExposition(exposition));
    const missing = new Set<string>();
    const exprs = [
      ...loadDashboards().flatMap((d) => dashboardQueries(d).map((q) => (q.variable ? analyzeVariableQuery(q.expr) : analyzePromql(q.expr)))),
      ...loadAlertRules().map((r) => analyzePromql(r.expr)),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    for (const a of exprs) {
      for (const s of a.selectors) if (!catalog.synthetic.has(s.metric) && !catalog.resolve(s.metric)) missing.add(s.metric);
    }
    expect([...missing]).toEqual([]);
  });
});
