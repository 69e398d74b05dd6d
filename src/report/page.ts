/**
 * The report page's script (bundled with Observable Plot into report.html): reads the results JSON
 * and draws the tables and charts. Every chart is a `figure.chart` holding one Plot SVG, so a test
 * can check that each one has marks.
 */
import * as Plot from '@observablehq/plot';
import type { ReportDoc } from './html.js';
import type { MethodResult, SuiteResult } from './run.js';
import { COLUMNS, pairNumbers } from './table.js';

const EPI = '#3b7dd8';
const TOTAL = '#f4b183';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
}

function chart(caption: string, kind: string, svg: Element): HTMLElement {
  const f = el('figure', { className: 'chart' }, svg, el('figcaption', { textContent: caption }));
  f.dataset.kind = kind;
  return f;
}

function swatch(color: string): HTMLElement {
  const s = el('span');
  s.style.background = color;
  return s;
}

const fmt = (v: number | undefined, d: number) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

function metricsTable(s: SuiteResult): HTMLElement {
  const cols = COLUMNS[s.task].filter(([k]) => s.methods.some((m) => m.metrics?.[k] !== undefined));
  const lowerBetter = new Set(['rmse', 'nll', 'brier', 'ece']);
  // Coverage and width are not better one way: no highlight.
  const neutral = new Set(['picp', 'width']);
  const best = new Map<string, number>();
  for (const [k] of cols) {
    const vs = s.methods.map((m) => m.metrics?.[k]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (!neutral.has(k) && vs.length) best.set(k, lowerBetter.has(k) ? Math.min(...vs) : Math.max(...vs));
  }
  const head = el('tr', {}, ...['method', ...cols.map(([, h]) => h), 'seconds'].map((h) => el('th', { textContent: h })));
  const rows = s.methods.map((m) => {
    if (m.skipped) return el('tr', {}, el('td', { textContent: m.method }), el('td', { className: 'skip', colSpan: cols.length + 1, textContent: `skipped: ${m.skipped}` }));
    return el(
      'tr',
      {},
      el('td', { textContent: m.method }),
      ...cols.map(([k, , d]) => el('td', { textContent: fmt(m.metrics?.[k], d), className: best.get(k) === m.metrics?.[k] ? 'best' : '' })),
      el('td', { textContent: fmt(m.seconds, 2) }),
    );
  });
  return el('table', { className: 'metrics' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

function bandChart(s: SuiteResult, m: MethodResult): HTMLElement {
  const b = m.band!;
  const pts = s.grid!.map((x, i) => {
    const mu = b.mean[i];
    const se = 2 * Math.sqrt(b.epistemic[i]);
    const st = 2 * Math.sqrt(b.aleatoric[i] + b.epistemic[i]);
    return { x, mu, lo1: mu - se, hi1: mu + se, lo2: mu - st, hi2: mu + st };
  });
  const train = s.trainPoints!.x.map((x, i) => ({ x, y: s.trainPoints!.y[i] }));
  const svg = Plot.plot({
    width: 360,
    height: 240,
    x: { label: 'x' },
    y: { label: 'y', domain: [-4, 4], clamp: true },
    marks: [
      Plot.areaY(pts, { x: 'x', y1: 'lo2', y2: 'hi2', fill: TOTAL, fillOpacity: 0.8 }),
      Plot.areaY(pts, { x: 'x', y1: 'lo1', y2: 'hi1', fill: EPI, fillOpacity: 0.55 }),
      Plot.line(pts, { x: 'x', y: 'mu', stroke: '#111', strokeWidth: 1.5 }),
      Plot.dot(train, { x: 'x', y: 'y', r: 1.6, fill: '#222' }),
    ],
  });
  return chart(`${m.method}: mean ± 2σ`, 'band', svg);
}

function reliabilityChart(m: MethodResult): HTMLElement {
  const bins = m.reliability!.filter((b) => b.count > 0);
  const svg = Plot.plot({
    width: 260,
    height: 240,
    x: { label: 'confidence', domain: [0, 1] },
    y: { label: 'accuracy', domain: [0, 1] },
    marks: [
      Plot.rectY(bins, { x1: 'lo', x2: 'hi', y: 'accuracy', fill: EPI, fillOpacity: 0.7, inset: 0.5 }),
      Plot.line([[0, 0], [1, 1]], { stroke: '#888', strokeDasharray: '4 3' }),
      Plot.dot(bins, { x: 'confidence', y: 'accuracy', r: (b: { count: number }) => Math.sqrt(b.count), fill: '#c62828', fillOpacity: 0.7 }),
    ],
  });
  return chart(`${m.method}: ECE ${fmt(m.metrics?.ece, 3)}`, 'reliability', svg);
}

function oodChart(m: MethodResult): HTMLElement {
  const groups = Object.entries(m.scores!);
  const max = Math.max(1e-9, ...groups.flatMap(([, s]) => s));
  const nb = 20;
  const rows: { group: string; x1: number; x2: number; y1: number; y2: number }[] = [];
  for (const [group, s] of groups) {
    const counts = new Array<number>(nb).fill(0);
    for (const v of s) counts[Math.min(nb - 1, Math.floor((v / max) * nb))]++;
    counts.forEach((c, i) => rows.push({ group, x1: (i * max) / nb, x2: ((i + 1) * max) / nb, y1: 0, y2: c / s.length }));
  }
  const svg = Plot.plot({
    width: 360,
    height: 240,
    x: { label: 'predictive entropy (nats)' },
    y: { label: 'fraction of inputs' },
    color: { legend: true, domain: groups.map(([g]) => g), range: ['#1a7f37', EPI, '#e07b39'] },
    marks: [Plot.rectY(rows, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'group', fillOpacity: 0.45, inset: 0.5 }), Plot.ruleY([0])],
  });
  return chart(`${m.method}: AUROC 5–9 ${fmt(m.metrics?.auroc, 3)}, noise ${fmt(m.metrics?.aurocNoise, 3)}`, 'ood', svg);
}

/** Keys of a posterior's info that mark it as a sampler's (R̂, ESS, divergences, acceptance). */
const SAMPLER_KEY = /^(rhat|ess|divergen|accept)/i;

/** Headers of the sampler keys the MCMC methods report (others show under their own names). */
const SAMPLER_HEADERS: Record<string, string> = {
  rhatPredictive: 'R̂ of f(x*) (max)',
  essPredictive: 'bulk ESS of f(x*) (min)',
  rhatMax: 'R̂ of weights (max)',
  essBulkMin: 'bulk ESS of weights (min)',
};

/** A traced predictive quantity as the MCMC methods report it in `info.traces`. */
interface Trace {
  label: string;
  chains: number[][];
  rhat: number;
  essBulk: number;
}

const isTrace = (t: unknown): t is Trace => {
  const c = (t as Trace)?.chains;
  return typeof (t as Trace)?.label === 'string' && Array.isArray(c) && c.length > 0 && c.every((x) => Array.isArray(x) && x.length > 0);
};

function traceChart(method: string, t: Trace): HTMLElement {
  const data = t.chains.flatMap((c, chain) => c.map((v, i) => ({ i, v, chain: `chain ${chain + 1}` })));
  const svg = Plot.plot({
    width: 300,
    height: 180,
    x: { label: 'kept draw' },
    y: { label: t.label },
    color: { legend: false },
    marks: [Plot.line(data, { x: 'i', y: 'v', stroke: 'chain', strokeWidth: 0.9 })],
  });
  return chart(`${method}: ${t.label} — R̂ ${fmt(t.rhat, 3)}, bulk ESS ${fmt(t.essBulk, 0)}`, 'trace', svg);
}

/** R̂ / ESS where a posterior's info provides them (samplers), and the traces of f(x*) per chain. */
function samplerSection(s: SuiteResult): HTMLElement | undefined {
  const rows = s.methods.filter((m) => m.info && Object.keys(m.info).some((k) => SAMPLER_KEY.test(k)));
  if (!rows.length) return undefined;
  const keys = [...new Set(rows.flatMap((m) => Object.keys(m.info!).filter((k) => SAMPLER_KEY.test(k) || /^step_?size/i.test(k))))];
  const summarize = (v: unknown, k: string): string => {
    if (typeof v === 'number') return Number.isInteger(v) || /ess/i.test(k) ? fmt(v, 0) : fmt(v, 3);
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) {
      const a = v as number[];
      return /rhat/i.test(k) ? `max ${fmt(Math.max(...a), 3)}` : /ess/i.test(k) ? `min ${fmt(Math.min(...a), 0)}` : `mean ${fmt(a.reduce((p, q) => p + q, 0) / a.length, 3)}`;
    }
    return v === undefined ? '–' : String(JSON.stringify(v)).slice(0, 40);
  };
  const div = el('div', {}, el('h3', { textContent: 'Samplers: convergence' }));
  div.append(
    el('p', {
      className: 'note',
      textContent:
        `Traces of a predictive quantity f(x*) per chain at fixed inputs x* (${s.probes ?? 'a few test inputs'}): the predictive mean (regression) or the probability of the class the posterior predicts there (classification), ` +
        'with the rank-normalized split R̂ and bulk ESS of that quantity (Vehtari et al. 2021; R̂ below 1.01 and ESS above 100 per chain are the usual targets). ' +
        'R̂ over the network weights is shown for comparison: it stays far above 1 for short chains (hidden units can be permuted, many modes give the same function) even when the predictive agrees across chains.',
    }),
  );
  div.append(el('table', {}, el('tr', {}, ...['method', ...keys.map((k) => SAMPLER_HEADERS[k] ?? k)].map((h) => el('th', { textContent: h }))), ...rows.map((m) => el('tr', {}, el('td', { textContent: m.method }), ...keys.map((k) => el('td', { textContent: summarize(m.info![k], k) }))))));
  for (const m of rows) {
    const traces = Array.isArray(m.info!.traces) ? (m.info!.traces as unknown[]).filter(isTrace) : [];
    if (traces.length) div.append(el('div', { className: 'charts' }, ...traces.map((t) => traceChart(m.method, t))));
  }
  return div;
}

function render(doc: ReportDoc): void {
  const root = document.getElementById('report')!;
  root.replaceChildren();
  root.append(el('h1', { textContent: doc.title }));
  root.append(el('p', { className: 'note', textContent: `${doc.date} · ${Object.entries(doc.environment).map(([k, v]) => `${k}: ${v}`).join(' · ')}` }));

  root.append(el('h2', { textContent: 'Orderings: the field’s against ours' }));
  for (const o of doc.orderings) {
    const sec = el('div', {}, el('h3', { textContent: o.name }), el('p', { className: 'note', textContent: `${o.measure}. Field (${o.source}): ${o.field}` }));
    sec.append(el('p', { textContent: `Measured, best first: ${o.measured.map((m) => `${m.method} (${m.value.toFixed(3)})`).join(', ') || 'none ran'}` }));
    sec.append(
      el(
        'table',
        {},
        el('tr', {}, ...['field says', 'ours', 'verdict'].map((h) => el('th', { textContent: h }))),
        ...o.pairs.map((p) =>
          el(
            'tr',
            {},
            el('td', { textContent: `${p.better} ${p.relation} ${p.worse}` }),
            el('td', { textContent: pairNumbers(p) }),
            el('td', { className: p.verdict, textContent: { missing: 'not judged (not run)', agree: 'agree', tie: 'tie (within noise)', disagree: 'disagree' }[p.verdict] }),
          ),
        ),
      ),
    );
    sec.append(el('p', { className: 'note', textContent: o.summary }));
    root.append(sec);
  }

  for (const s of doc.suites) {
    root.append(el('h2', { textContent: `${s.name} — ${s.task}` }), el('p', { className: 'note', textContent: s.description }), metricsTable(s));
    const ok = s.methods.filter((m) => !m.skipped);
    if (s.grid) {
      root.append(el('h3', { textContent: 'Predictive bands' }));
      const key = el('p', { className: 'key' }, 'Shaded:');
      key.append(swatch(EPI), 'epistemic ±2σ', swatch(TOTAL), 'aleatoric added (total ±2σ)');
      root.append(key, el('div', { className: 'charts' }, ...ok.filter((m) => m.band).map((m) => bandChart(s, m))));
    }
    if (s.task === 'classification') {
      root.append(el('h3', { textContent: 'Reliability diagrams (15 equal-width bins; dot area ∝ count)' }));
      root.append(el('div', { className: 'charts' }, ...ok.filter((m) => m.reliability).map(reliabilityChart)));
      root.append(el('h3', { textContent: 'OOD score: predictive entropy, in- and out-of-distribution' }));
      root.append(el('div', { className: 'charts' }, ...ok.filter((m) => m.scores).map(oodChart)));
    }
    const smp = samplerSection(s);
    if (smp) root.append(smp);
  }
}

render(JSON.parse(document.getElementById('bdl-results')!.textContent!) as ReportDoc);
