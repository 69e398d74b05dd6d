/**
 * The report page's script (bundled with Observable Plot into report.html): reads the results JSON
 * and draws a summary of the orderings, a sticky table of contents by data set and section, the
 * tables and the charts (src/report/charts.ts). Every chart is a `figure.chart` holding one Plot
 * figure (legend + SVG), so a test can check that each one has marks, a legend and axis titles.
 */
import type { ReportDoc } from './html.js';
import type { OrderingResult } from './orderings.js';
import type { MethodResult, SuiteResult } from './run.js';
import { chainSummary, runWarnings } from '../diagnostics/chain-summary.js';
import { COLUMNS, pairNumbers } from './table.js';
import { bandChart, el, fmt, isTrace, oodChart, reliabilityChart, traceChart } from './charts.js';

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
  const warned = s.methods.filter((m) => !m.skipped && runWarnings(m.info).length);
  const rows = s.methods.map((m) => {
    if (m.skipped) return el('tr', {}, el('td', { textContent: m.method }), el('td', { className: 'skip', colSpan: cols.length + 1, textContent: `skipped: ${m.skipped}` }));
    const name = warned.includes(m) ? el('td', { className: 'warn', title: runWarnings(m.info).join(' ') }, `${m.method} `, el('span', { textContent: '⚠', ariaLabel: 'warning' })) : el('td', { textContent: m.method });
    return el(
      'tr',
      {},
      name,
      ...cols.map(([k, , d]) => el('td', { textContent: fmt(m.metrics?.[k], d), className: best.get(k) === m.metrics?.[k] ? 'best' : '' })),
      el('td', { textContent: fmt(m.seconds, 2) }),
    );
  });
  const table = el('div', { className: 'scroll' }, el('table', { className: 'metrics' }, el('thead', {}, head), el('tbody', {}, ...rows)));
  return warned.length ? el('div', {}, table, el('ul', { className: 'warnings' }, ...warned.map(warningItem))) : table;
}

/**
 * Why a row is marked: the chains' convergence line, each warning, and, when the run set the method's
 * budget (compare's short chains), that budget — so that a number from chains that did not mix is
 * never read as the method's.
 */
function warningItem(m: MethodResult): HTMLElement {
  const chains = chainSummary(m.info);
  const parts = [`${m.method}: ${chains ? `${chains.line}. ` : ''}${runWarnings(m.info).join(' ')}`];
  if (chains?.warnings.length && m.budget) {
    const b = Object.entries(m.budget).map(([k, v]) => `${k} ${v}`).join(', ');
    parts.push(`This run used a short budget (${b}) so that every method fits in minutes; \`bdl fit --method ${m.method}\` runs its defaults.`);
  }
  return el('li', { textContent: parts.join(' ') });
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
  const div = el('div');
  div.append(
    el('p', {
      className: 'note',
      textContent:
        `Traces of a predictive quantity f(x*) per chain at fixed inputs x* (${s.probes ?? 'a few test inputs'}): the predictive mean (regression) or the probability of the class the posterior predicts there (classification), ` +
        'with the rank-normalized split R̂ and bulk ESS of that quantity (Vehtari et al. 2021; R̂ below 1.01 and ESS above 100 per chain are the usual targets). ' +
        'R̂ over the network weights is shown for comparison: it stays far above 1 for short chains (hidden units can be permuted, many modes give the same function) even when the predictive agrees across chains.',
    }),
  );
  div.append(el('div', { className: 'scroll' }, el('table', {}, el('tr', {}, ...['method', ...keys.map((k) => SAMPLER_HEADERS[k] ?? k)].map((h) => el('th', { textContent: h }))), ...rows.map((m) => el('tr', {}, el('td', { textContent: m.method }), ...keys.map((k) => el('td', { textContent: summarize(m.info![k], k) })))))));
  for (const m of rows) {
    const traces = Array.isArray(m.info!.traces) ? (m.info!.traces as unknown[]).filter(isTrace) : [];
    if (traces.length) div.append(el('div', { className: 'charts' }, ...traces.map((t) => traceChart(m.method, t))));
  }
  return div;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

const VERDICT_TEXT = { missing: 'not judged (not run)', agree: 'agree', tie: 'tie (within noise)', disagree: 'disagree' } as const;

/** The top of the page: per ordering, the verdicts counted and the measured order, best first. */
function summary(orderings: readonly OrderingResult[]): HTMLElement {
  const count = (o: OrderingResult, v: keyof typeof VERDICT_TEXT) => o.pairs.filter((p) => p.verdict === v).length;
  return el(
    'div',
    { className: 'scroll' },
    el(
      'table',
      { className: 'summary' },
      el('tr', {}, ...['ordering', 'agree', 'tie', 'disagree', 'not judged', 'measured, best first'].map((h) => el('th', { textContent: h }))),
      ...orderings.map((o) =>
        el(
          'tr',
          {},
          el('td', {}, el('a', { href: `#ordering-${slug(o.name)}`, textContent: o.name })),
          el('td', { className: 'agree', textContent: String(count(o, 'agree')) }),
          el('td', { className: 'tie', textContent: String(count(o, 'tie')) }),
          el('td', { className: 'disagree', textContent: String(count(o, 'disagree')) }),
          el('td', { className: 'missing', textContent: String(count(o, 'missing')) }),
          el('td', { className: 'order', textContent: o.measured.map((m) => m.method).join(' › ') || 'none ran' }),
        ),
      ),
    ),
  );
}

function orderingSection(o: OrderingResult): HTMLElement {
  const sec = el('section', { id: `ordering-${slug(o.name)}` }, el('h3', { textContent: o.name }), el('p', { className: 'note', textContent: `${o.measure}. Field (${o.source}): ${o.field}` }));
  sec.append(el('p', { textContent: `Measured, best first: ${o.measured.map((m) => `${m.method} (${m.value.toFixed(3)})`).join(', ') || 'none ran'}` }));
  sec.append(
    el(
      'table',
      {},
      el('tr', {}, ...['field says', 'ours', 'verdict'].map((h) => el('th', { textContent: h }))),
      ...o.pairs.map((p) => el('tr', {}, el('td', { textContent: `${p.better} ${p.relation} ${p.worse}` }), el('td', { textContent: pairNumbers(p) }), el('td', { className: p.verdict, textContent: VERDICT_TEXT[p.verdict] }))),
    ),
  );
  sec.append(el('p', { className: 'note', textContent: o.summary }));
  return sec;
}

/** One data set's sections: [id, title, content], in page order. */
function suiteSections(s: SuiteResult): [string, string, HTMLElement][] {
  const id = `suite-${slug(s.name)}`;
  const ok = s.methods.filter((m) => !m.skipped);
  const grid = (figs: HTMLElement[]) => el('div', { className: 'charts' }, ...figs);
  const out: [string, string, HTMLElement][] = [[`${id}-metrics`, 'Metrics', el('div', {}, el('p', { className: 'note', textContent: s.description }), metricsTable(s))]];
  const bands = ok.filter((m) => m.band);
  if (s.grid && bands.length) out.push([`${id}-bands`, 'Predictive bands', grid(bands.map((m) => bandChart(s, m)))]);
  if (s.task === 'classification') {
    out.push([`${id}-reliability`, 'Reliability diagrams (15 equal-width bins)', grid(ok.filter((m) => m.reliability).map(reliabilityChart))]);
    out.push([`${id}-ood`, 'OOD score: predictive entropy, in and out of distribution', grid(ok.filter((m) => m.scores).map(oodChart))]);
  }
  const smp = samplerSection(s);
  if (smp) out.push([`${id}-samplers`, 'Samplers: convergence', smp]);
  return out;
}

function render(doc: ReportDoc): void {
  const root = document.getElementById('report')!;
  const nav = el('nav', { id: 'toc' }, el('strong', { textContent: 'Contents' }));
  const main = el('main');
  const links = el('ul');
  nav.append(links);
  const navItem = (id: string, text: string, sub?: HTMLElement) => links.append(el('li', {}, el('a', { href: `#${id}`, textContent: text }), ...(sub ? [sub] : [])));

  main.append(el('h1', { textContent: doc.title }));
  main.append(el('p', { className: 'note', textContent: `${doc.date} · ${Object.entries(doc.environment).map(([k, v]) => `${k}: ${v}`).join(' · ')}` }));
  main.append(el('section', { id: 'summary' }, el('h2', { textContent: 'Summary: the field’s orderings against ours' }), summary(doc.orderings)));
  navItem('summary', 'Summary');
  main.append(el('section', { id: 'orderings' }, el('h2', { textContent: 'Orderings: the field’s against ours' }), ...doc.orderings.map(orderingSection)));
  navItem('orderings', 'Orderings', el('ul', {}, ...doc.orderings.map((o) => el('li', {}, el('a', { href: `#ordering-${slug(o.name)}`, textContent: o.name })))));

  if (doc.lora) {
    const t = doc.lora;
    main.append(
      el('section', { id: 'lora' },
        el('h2', { textContent: t.title }),
        el('p', { className: 'note', textContent: `From ${t.source} (regenerate: node eval/lora.mjs, then bdl compare --lora ${t.source}).` }),
        el('div', { className: 'scroll' }, el('table', { className: 'lora' }, el('tr', {}, ...t.columns.map((c) => el('th', { textContent: c }))), ...t.rows.map((r) => el('tr', {}, ...r.map((c) => el('td', { textContent: c })))))),
        ...t.notes.map((n) => el('p', { textContent: n })),
      ),
    );
    navItem('lora', 'Low-rank adapters');
  }
  for (const s of doc.suites) {
    const id = `suite-${slug(s.name)}`;
    const sections = suiteSections(s);
    main.append(el('section', { id }, el('h2', { textContent: `${s.name} — ${s.task}` }), ...sections.map(([sid, title, body]) => el('section', { id: sid }, el('h3', { textContent: title }), body))));
    navItem(id, s.name, el('ul', {}, ...sections.map(([sid, title]) => el('li', {}, el('a', { href: `#${sid}`, textContent: title.replace(/ \(.*|:.*/, '') })))));
  }
  root.replaceChildren(nav, main);
}

render(JSON.parse(document.getElementById('bdl-results')!.textContent!) as ReportDoc);
