// Percentiles, ratios and the markdown table of a benchmark run.

export function pct(values, p) {
  if (!values.length) return NaN;
  const a = Float64Array.from(values).sort();
  const i = Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1));
  return a[i];
}

const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const signed = (v, d = 3) => (Number.isFinite(v) ? (v >= 0 ? '+' : '') + v.toFixed(d) : '–');

function summarise(out) {
  const s = {};
  for (const c of out.cases) {
    s[c.id] = {};
    for (const [conc, cell] of Object.entries(out.raw[c.id])) {
      const row = (s[c.id][conc] = {});
      for (const [t, a] of Object.entries(cell)) {
        const n = a.ok;
        const base = {
          ok: n,
          errors: a.errors + a.non2xx,
          cpuUsPerReq: n && a.cpuMs ? (a.cpuMs * 1000) / n : null,
          cpuAllUsPerReq: n && a.cpuAllMs ? (a.cpuAllMs * 1000) / n : null,
          maxRssMb: a.maxRssMb || null,
        };
        if (c.stream) {
          row[t] = {
            ...base,
            ttftP50: pct(a.ttft, 50),
            ttftP99: pct(a.ttft, 99),
            gapP50: pct(a.gaps, 50),
            gapP99: pct(a.gaps, 99),
            eventsMin: a.events.length ? Math.min(...a.events) : null,
            eventsMax: a.events.length ? Math.max(...a.events) : null,
          };
        } else {
          row[t] = { ...base, p50: pct(a.lat, 50), p90: pct(a.lat, 90), p99: pct(a.lat, 99), rps: n / a.wallS };
        }
      }
      const d = row.direct;
      const fl = row.floor;
      for (const [t, r] of Object.entries(row)) {
        if (c.stream) {
          if (d && t !== 'direct') {
            r.addedTtftP50 = r.ttftP50 - d.ttftP50;
            r.addedTtftP99 = r.ttftP99 - d.ttftP99;
            r.addedGapP50 = r.gapP50 - d.gapP50;
            r.addedGapP99 = r.gapP99 - d.gapP99;
          }
        } else {
          if (d && t !== 'direct') {
            r.addedP50 = r.p50 - d.p50;
            r.addedP99 = r.p99 - d.p99;
          }
          if (fl) r.ratioToFloor = r.rps / fl.rps;
        }
        if (cpuVsFloor(r, fl) !== undefined) r.cpuRatioToFloor = cpuVsFloor(r, fl);
      }
    }
  }
  return s;
}

/**
 * The performance issue's goals, each from the run's own cells. CPU per request is also given against the floor's in
 * the same run (the goal of 160 µs was set where the floor took 79 µs: ≈ 2.0×), because the absolute figure moves with
 * the machine and the floor's with it.
 */
/** A target's CPU per request (or stream) over the floor's in the same cell; undefined without both. */
const cpuVsFloor = (r, fl) => (r?.cpuUsPerReq && fl?.cpuUsPerReq ? r.cpuUsPerReq / fl.cpuUsPerReq : undefined);

const GOALS = { cpuUs: 160, cpuVsFloor: 160 / 79, standaloneVsFloor: 0.55, clusterVsFloor: 0.5, addedP50: 0.5, addedP99: 1.5, ttftP50: 1, rssMb: 300 };

function targetsCheck(s, out) {
  const rows = [];
  const add = (what, target, measured, goal, ok) => rows.push({ what, target, measured, goal, met: ok });
  const cMin = Math.min(...out.settings.concurrency);
  const cMax = Math.max(...out.settings.concurrency);
  for (const caseId of ['chat', 'conv', 'full']) {
    const st = s[caseId]?.[cMin]?.standalone;
    if (st?.addedP50 !== undefined) {
      add(`added p50, c=${cMin} (${caseId})`, 'standalone', `${f(st.addedP50, 3)} ms`, `≤ ${GOALS.addedP50} ms`, st.addedP50 <= GOALS.addedP50);
      add(`added p99, c=${cMin} (${caseId})`, 'standalone', `${f(st.addedP99, 3)} ms`, `≤ ${GOALS.addedP99} ms`, st.addedP99 <= GOALS.addedP99);
    }
    const fl = s[caseId]?.[cMax]?.floor;
    for (const t of ['standalone', 'cluster']) {
      const r = s[caseId]?.[cMax]?.[t];
      if (!r) continue;
      const goal = t === 'standalone' ? GOALS.standaloneVsFloor : GOALS.clusterVsFloor;
      if (r.ratioToFloor !== undefined)
        add(
          `throughput vs floor, c=${cMax} (${caseId})`,
          t,
          `${f(r.ratioToFloor * 100, 0)} % (${f(r.rps, 0)} vs ${f(fl.rps, 0)} req/s)`,
          `≥ ${Math.round(goal * 100)} %`,
          r.ratioToFloor >= goal,
        );
      if (t === 'standalone' && r.cpuUsPerReq) {
        add(`CPU per request, c=${cMax} (${caseId})`, t, `${f(r.cpuUsPerReq, 0)} µs`, `≤ ${GOALS.cpuUs} µs`, r.cpuUsPerReq <= GOALS.cpuUs);
        const ratio = cpuVsFloor(r, fl);
        if (ratio !== undefined)
          add(
            `CPU per request vs the floor's, c=${cMax} (${caseId})`,
            t,
            `${f(ratio, 2)}× (floor ${f(fl.cpuUsPerReq, 0)} µs)`,
            `≤ ${f(GOALS.cpuVsFloor, 2)}×`,
            ratio <= GOALS.cpuVsFloor,
          );
      }
    }
  }
  for (const caseId of ['chat-stream', 'conv-stream']) {
    const st = s[caseId]?.[cMin]?.standalone;
    if (st?.addedTtftP50 !== undefined)
      add(
        `stream TTFT added p50, c=${cMin} (${caseId})`,
        'standalone',
        `${f(st.addedTtftP50, 3)} ms`,
        `≤ ${GOALS.ttftP50} ms`,
        st.addedTtftP50 <= GOALS.ttftP50,
      );
    const r = s[caseId]?.[cMax]?.standalone;
    const fl = s[caseId]?.[cMax]?.floor;
    const ratio = cpuVsFloor(r, fl);
    if (ratio !== undefined)
      add(
        `CPU per stream vs the floor's, c=${cMax} (${caseId})`,
        'standalone',
        `${f(ratio, 2)}× (${f(r.cpuUsPerReq, 0)} vs ${f(fl.cpuUsPerReq, 0)} µs)`,
        `≤ ${f(GOALS.cpuVsFloor, 2)}×`,
        ratio <= GOALS.cpuVsFloor,
      );
  }
  const sa = out.targets.find((t) => t.name === 'standalone');
  if (sa) {
    const peak = sa.peakRssMb ?? 0;
    add('peak RSS (VmHWM, the whole run)', 'standalone', `${f(peak, 0)} MB`, `≤ ${GOALS.rssMb} MB`, peak <= GOALS.rssMb);
    let errs = 0;
    for (const c of Object.values(s)) for (const row of Object.values(c)) errs += row.standalone?.errors ?? 0;
    add('errors (all cells)', 'standalone', String(errs), '0', errs === 0);
  }
  return rows;
}

/** The run's tables; `s` (a saved run's summary.cells) re-renders a run whose raw samples are gone. */
export function report(out, gateways, s = summarise(out)) {
  const m = out.machine;
  const L = [];
  L.push(`Run ${out.startedAt} · \`${out.command}\` · ${out.durationS} s`);
  L.push('');
  L.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memGb} GB RAM, ${m.platform} ${m.kernel}, Node ${m.node}. Load generator, mock upstream and target share the same ${m.cpus} cores (no pinning).`,
  );
  L.push(
    `Settings: ${out.settings.rounds} interleaved round(s) per cell (direct, floor, standalone, cluster in turn); non-stream cells ${out.settings.secondsPerCellPerRound} s per round (autocannon, closed loop, keep-alive); stream cells ${Object.entries(
      out.settings.streamsPerWorker,
    )
      .map(([c, n]) => `c=${c}: ${n}`)
      .join(
        ', ',
      )} stream(s) per worker per round (undici); warm-up discarded. Latency percentiles pool every round; "added" = target percentile − direct percentile at the same case and concurrency. CPU = the target's own process(es), from /proc, including work deferred until it is idle again (usage records).`,
  );
  for (const n of out.notes) L.push(`Note: ${n}.`);
  L.push('');
  const ns = out.cases.filter((c) => !c.stream);
  if (ns.length) {
    L.push('### Non-stream (instant mock)');
    L.push('');
    L.push('| case | c | target | p50 ms | p99 ms | added p50 ms | added p99 ms | req/s | × floor | CPU µs/req | errors |');
    L.push('|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const c of ns)
      for (const [conc, row] of Object.entries(s[c.id]))
        for (const [t, r] of Object.entries(row)) {
          const cpu = cpuCell(t, r);
          L.push(
            `| ${c.id} | ${conc} | ${t} | ${f(r.p50, 3)} | ${f(r.p99, 3)} | ${signed(r.addedP50)} | ${signed(r.addedP99)} | ${f(r.rps, 0)} | ${r.ratioToFloor !== undefined ? f(r.ratioToFloor, 2) : '–'} | ${cpu} | ${r.errors} |`,
          );
        }
    L.push('');
  }
  const st = out.cases.filter((c) => c.stream);
  if (st.length) {
    L.push('### Streams (64 chunks, 20 ms apart)');
    L.push('');
    L.push(
      '| case | c | target | streams | TTFT p50 ms | TTFT p99 ms | added TTFT p50 | added TTFT p99 | gap p50 ms | gap p99 ms | added gap p99 | events/stream | CPU µs/stream | errors |',
    );
    L.push('|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const c of st)
      for (const [conc, row] of Object.entries(s[c.id]))
        for (const [t, r] of Object.entries(row)) {
          const ev = r.eventsMin === null ? '–' : r.eventsMin === r.eventsMax ? String(r.eventsMin) : `${r.eventsMin}–${r.eventsMax}`;
          const cpu = cpuCell(t, r);
          L.push(
            `| ${c.id} | ${conc} | ${t} | ${r.ok} | ${f(r.ttftP50, 3)} | ${f(r.ttftP99, 3)} | ${signed(r.addedTtftP50)} | ${signed(r.addedTtftP99)} | ${f(r.gapP50, 2)} | ${f(r.gapP99, 2)} | ${signed(r.addedGapP99, 2)} | ${ev} | ${cpu} | ${r.errors} |`,
          );
        }
    L.push('');
  }
  L.push('### Memory (main process)');
  L.push('');
  L.push('| target | RSS idle MB | RSS max under load MB | peak RSS (VmHWM) MB |');
  L.push('|---|--:|--:|--:|');
  for (const t of out.targets.filter((x) => gateways.includes(x.name))) {
    let steady = 0;
    for (const c of Object.values(s)) for (const row of Object.values(c)) steady = Math.max(steady, row[t.name]?.maxRssMb ?? 0);
    L.push(`| ${t.name} | ${f(t.idleRssMb, 0)} | ${f(steady, 0)} | ${f(t.peakRssMb, 0)} |`);
  }
  L.push('');
  const checks = targetsCheck(s, out);
  if (checks.length) {
    L.push('### Targets');
    L.push('');
    L.push('| target | what | measured | goal | met |');
    L.push('|---|---|--:|--:|:-:|');
    for (const r of checks) L.push(`| ${r.target} | ${r.what} | ${r.measured} | ${r.goal} | ${r.met ? 'yes' : '**no**'} |`);
    L.push('');
  }
  return { summary: { cells: s, targets: checks }, markdown: L.join('\n') };
}

/** CPU per request (or stream) of a target; for the cluster, all five processes' in brackets too. */
function cpuCell(target, r) {
  if (r.cpuUsPerReq === null) return '–';
  return f(r.cpuUsPerReq, 0) + (target === 'cluster' && r.cpuAllUsPerReq ? ` (all ${f(r.cpuAllUsPerReq, 0)})` : '');
}
