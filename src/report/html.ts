/**
 * report.html: one self-contained file (no network) holding the results as JSON and the bundled page
 * script (src/report/page.ts with Observable Plot inlined) that draws the charts when opened.
 */
import type { MarkdownTable } from './lora.js';
import type { OrderingResult } from './orderings.js';
import type { SuiteResult } from './run.js';

/** Everything the report shows; also written as results.json. */
export interface ReportDoc {
  title: string;
  date: string;
  /** Machine and run facts (runtime, wasm flavor, cores, total seconds). */
  environment: Record<string, string | number>;
  suites: SuiteResult[];
  orderings: OrderingResult[];
  /** The Bayesian low-rank adapters' table (eval/LoRA.md), when `bdl compare --lora FILE` gave it. */
  lora?: MarkdownTable;
}

/**
 * The HTML page. `pageScript` is the browser bundle of src/report/page.ts (built to
 * dist/report-page.js); it reads the JSON from the `bdl-results` script element.
 */
export function reportHtml(doc: ReportDoc, pageScript: string): string {
  // '<' escaped so no string in the data can close the script element early.
  const json = JSON.stringify(doc).replace(/</g, '\\u003c');
  const script = pageScript.replace(/<\/script/gi, '<\\/script');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #222; }
#report { display: grid; grid-template-columns: 200px minmax(0, 1fr); }
/* 1px short of the viewport: a page ending on a half pixel would otherwise push the sticky list up at the bottom. */
#toc { position: sticky; top: 0; align-self: start; height: calc(100vh - 1px); overflow-y: auto; box-sizing: border-box; padding: 1rem .8rem; border-right: 1px solid #ddd; background: #fafafa; font-size: 13px; }
#toc ul { list-style: none; margin: .3rem 0; padding-left: .8rem; } #toc > ul { padding-left: 0; } #toc li { margin: .15rem 0; }
#toc a { color: #1f4e99; text-decoration: none; } #toc a:hover { text-decoration: underline; }
main { padding: 0 1.5rem 2rem; max-width: 1400px; min-width: 0; }
h1 { font-size: 1.5rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; } h3 { margin-bottom: .3rem; }
section[id] { scroll-margin-top: .5rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { padding: .2rem .6rem; border-bottom: 1px solid #eee; text-align: right; } th:first-child, td:first-child { text-align: left; }
td.order { text-align: left; } td.best { font-weight: 600; background: #eef6ee; } td.skip { color: #999; text-align: left; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(310px, 1fr)); gap: .8rem; }
figure.chart { margin: 0; } figure.chart figcaption { font-size: 12px; color: #444; }
.agree { color: #1a7f37; } .disagree { color: #c62828; font-weight: 600; } .missing, .tie { color: #888; }
.note { color: #555; font-size: 13px; }
td.warn span, ul.warnings { color: #b35900; } ul.warnings { font-size: 13px; margin-top: 0; }
</style>
</head>
<body>
<div id="report"><noscript>This report draws its charts with JavaScript; the numbers are in results.json beside it.</noscript></div>
<script type="application/json" id="bdl-results">${json}</script>
<script>${script}</script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
