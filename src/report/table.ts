/** The comparison as plain text: one table per suite, then the orderings beside the field's. */
import type { OrderingResult, PairVerdict } from './orderings.js';
import type { SuiteResult } from './run.js';

/** Metric columns per task: key, header, digits. */
export const COLUMNS: Record<'regression' | 'classification', [string, string, number][]> = {
  regression: [['rmse', 'RMSE', 3], ['ll', 'LL', 3], ['picp', 'PICP95', 3], ['width', 'width95', 2]],
  classification: [['accuracy', 'acc', 3], ['nll', 'NLL', 3], ['brier', 'Brier', 3], ['ece', 'ECE', 3], ['auroc', 'AUROC 5–9', 3], ['aurocNoise', 'AUROC noise', 3], ['aurocDigits', 'AUROC digits', 3]],
};

/** The whole comparison as text tables. */
export function formatTables(results: SuiteResult[], orderings: OrderingResult[]): string {
  const out: string[] = [];
  for (const s of results) {
    out.push(`\n${s.name} (${s.task}, ${s.nTrain} train / ${s.nTest} test): ${s.description}`);
    const cols = COLUMNS[s.task].filter(([k]) => s.methods.some((m) => m.metrics?.[k] !== undefined));
    const header = ['method', ...cols.map(([, h]) => h), 'seconds'];
    const rows = s.methods.map((m) =>
      m.skipped
        ? [m.method, `skipped: ${m.skipped}`]
        : [m.method, ...cols.map(([k, , d]) => fmt(m.metrics?.[k], d)), fmt(m.seconds, 2)],
    );
    out.push(grid(header, rows));
  }
  out.push('\nOrderings: the field’s against ours');
  for (const o of orderings) {
    out.push(`  ${o.name} — ${o.measure}`);
    out.push(`    field:    ${o.field}`);
    out.push(`    measured: ${o.measured.map((m) => `${m.method} (${fmt(m.value, 3)})`).join(', ') || '(none ran)'} (best first)`);
    for (const p of o.pairs) {
      const v = { missing: 'not judged', agree: 'agrees', tie: 'tie (within noise)', disagree: 'DISAGREES' }[p.verdict];
      out.push(`    ${`${p.better} ${p.relation} ${p.worse}`.padEnd(26)} ${v}${p.a !== undefined && p.b !== undefined ? ` (${pairNumbers(p)})` : ''}`);
    }
    out.push(`    → ${o.summary}`);
  }
  return out.join('\n') + '\n';
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

function grid(header: string[], rows: string[][]): string {
  const w = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r.length === 2 && j === 1 && r[1].startsWith('skipped') ? 0 : (r[j] ?? '').length))));
  const line = (r: string[]) => (r.length === 2 && r[1].startsWith('skipped') ? `  ${r[0].padEnd(w[0])}  ${r[1]}` : '  ' + r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  '));
  return [line(header), '  ' + w.map((n) => '─'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/** A pair's numbers as one line: both values, and the difference with its standard error (or the fixed tie band). */
export function pairNumbers(p: PairVerdict): string {
  if (p.a === undefined || p.b === undefined) return '–';
  const f = (v: number) => v.toFixed(3);
  const noise = p.se !== undefined ? `; Δ ${(p.a - p.b >= 0 ? '+' : '−') + f(Math.abs(p.a - p.b))} ± ${f(p.se)} SE` : p.tolerance ? `; ties within ±${f(p.tolerance)}` : '';
  return `${f(p.a)} vs ${f(p.b)}${noise}`;
}
