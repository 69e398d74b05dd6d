/**
 * The report's charts (Observable Plot), each a `figure.chart` with a legend, titled axes and a
 * caption, sized so that three or four fit across a laptop screen.
 */
import * as Plot from '@observablehq/plot';
import type { MethodResult, SuiteResult } from './run.js';

export const EPI = '#3b7dd8';
export const TOTAL = '#f4b183';
const W = 300;
const H = 210;

export const fmt = (v: number | undefined, d: number) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
}

function chart(caption: string, kind: string, plot: Element): HTMLElement {
  const f = el('figure', { className: 'chart' }, plot, el('figcaption', { textContent: caption }));
  f.dataset.kind = kind;
  return f;
}

/** A categorical colour scale shown as a swatch legend: the keys name what each mark is. */
const keyed = (keys: Record<string, string>) => ({ legend: true, domain: Object.keys(keys), range: Object.values(keys) });

export function bandChart(s: SuiteResult, m: MethodResult): HTMLElement {
  const b = m.band!;
  const pts = s.grid!.map((x, i) => {
    const mu = b.mean[i];
    const se = 2 * Math.sqrt(b.epistemic[i]);
    const st = 2 * Math.sqrt(b.aleatoric[i] + b.epistemic[i]);
    return { x, mu, lo1: mu - se, hi1: mu + se, lo2: mu - st, hi2: mu + st };
  });
  const train = s.trainPoints!.x.map((x, i) => ({ x, y: s.trainPoints!.y[i] }));
  const plot = Plot.plot({
    width: W,
    height: H,
    x: { label: 'input x' },
    y: { label: 'target y', domain: [-4, 4], clamp: true },
    color: keyed({ 'total ±2σ': TOTAL, 'epistemic ±2σ': EPI, mean: '#111', 'training data': '#555' }),
    marks: [
      Plot.areaY(pts, { x: 'x', y1: 'lo2', y2: 'hi2', fill: () => 'total ±2σ', fillOpacity: 0.8 }),
      Plot.areaY(pts, { x: 'x', y1: 'lo1', y2: 'hi1', fill: () => 'epistemic ±2σ', fillOpacity: 0.55 }),
      Plot.line(pts, { x: 'x', y: 'mu', stroke: () => 'mean', strokeWidth: 1.5 }),
      Plot.dot(train, { x: 'x', y: 'y', r: 1.6, fill: () => 'training data' }),
    ],
  });
  return chart(`${m.method}: predictive mean ± 2σ`, 'band', plot);
}

export function reliabilityChart(m: MethodResult): HTMLElement {
  const bins = m.reliability!.filter((b) => b.count > 0);
  const plot = Plot.plot({
    width: W,
    height: H,
    x: { label: 'confidence', domain: [0, 1] },
    y: { label: 'accuracy', domain: [0, 1] },
    color: keyed({ 'accuracy per bin': EPI, 'perfect calibration': '#888', 'mean confidence (area ∝ count)': '#c62828' }),
    marks: [
      Plot.rectY(bins, { x1: 'lo', x2: 'hi', y: 'accuracy', fill: () => 'accuracy per bin', fillOpacity: 0.7, inset: 0.5 }),
      Plot.line([[0, 0], [1, 1]], { stroke: () => 'perfect calibration', strokeDasharray: '4 3' }),
      Plot.dot(bins, { x: 'confidence', y: 'accuracy', r: (b: { count: number }) => Math.sqrt(b.count), fill: () => 'mean confidence (area ∝ count)', fillOpacity: 0.7 }),
    ],
  });
  return chart(`${m.method}: ECE ${fmt(m.metrics?.ece, 3)}`, 'reliability', plot);
}

export function oodChart(m: MethodResult): HTMLElement {
  const groups = Object.entries(m.scores!);
  const max = Math.max(1e-9, ...groups.flatMap(([, s]) => s));
  const nb = 20;
  const rows: { group: string; x1: number; x2: number; y1: number; y2: number }[] = [];
  for (const [group, s] of groups) {
    const counts = new Array<number>(nb).fill(0);
    for (const v of s) counts[Math.min(nb - 1, Math.floor((v / max) * nb))]++;
    counts.forEach((c, i) => rows.push({ group, x1: (i * max) / nb, x2: ((i + 1) * max) / nb, y1: 0, y2: c / s.length }));
  }
  const plot = Plot.plot({
    width: W,
    height: H,
    x: { label: 'predictive entropy (nats)' },
    y: { label: 'fraction of inputs' },
    color: { legend: true, domain: groups.map(([g]) => g), range: ['#1a7f37', EPI, '#e07b39'] },
    marks: [Plot.rectY(rows, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'group', fillOpacity: 0.45, inset: 0.5 }), Plot.ruleY([0])],
  });
  const aurocs = [['auroc', 'AUROC 5–9'], ['aurocNoise', 'noise'], ['aurocDigits', 'AUROC digits']].filter(([k]) => m.metrics?.[k] !== undefined);
  return chart(`${m.method}: ${aurocs.map(([k, label]) => `${label} ${fmt(m.metrics?.[k], 3)}`).join(', ')}`, 'ood', plot);
}

/** A traced predictive quantity as the MCMC methods report it in `info.traces`. */
export interface Trace {
  label: string;
  chains: number[][];
  rhat: number;
  essBulk: number;
}

export const isTrace = (t: unknown): t is Trace => {
  const c = (t as Trace)?.chains;
  return typeof (t as Trace)?.label === 'string' && Array.isArray(c) && c.length > 0 && c.every((x) => Array.isArray(x) && x.length > 0);
};

export function traceChart(method: string, t: Trace): HTMLElement {
  const data = t.chains.flatMap((c, chain) => c.map((v, i) => ({ i, v, chain: `chain ${chain + 1}` })));
  const plot = Plot.plot({
    width: W,
    height: H,
    x: { label: 'kept draw' },
    y: { label: t.label },
    color: { legend: true, domain: t.chains.map((_, c) => `chain ${c + 1}`) },
    marks: [Plot.line(data, { x: 'i', y: 'v', stroke: 'chain', strokeWidth: 0.9 })],
  });
  return chart(`${method}: ${t.label} — R̂ ${fmt(t.rhat, 3)}, bulk ESS ${fmt(t.essBulk, 0)}`, 'trace', plot);
}
