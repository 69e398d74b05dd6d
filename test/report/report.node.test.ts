// The report as a user opens it: `bdl compare` on a fast subset writes report.html; real Chromium
// (playwright-core) renders it with no console errors, every chart has its marks, and a screenshot is
// saved to test-output/report.png (the first screen at 1366×768) and test-output/report-bands.png. A second page adds a sampler row (R̂/ESS and traces of f(x*) in `info`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportHtml, type ReportDoc } from '../../src/report/html.js';
import { chromiumPath } from '../../vitest.config.js';
import { skipWithoutChromium } from '../helpers/chromium.js';

const noBrowser = skipWithoutChromium('test/report/report.node.test.ts');

const root = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'bdl-report-'));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
let doc: ReportDoc;

beforeAll(async () => {
  if (noBrowser) return;
  const r = spawnSync(process.execPath, [join(root, 'bin/bdl.js'), 'compare', '--dataset', 'toy-gap,digits', '--methods', 'map,mc-dropout,ensemble,swag', '--lora', join(root, 'eval/LoRA.md'), '--out', dir], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  doc = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  browser = await chromium.launch({ executablePath: chromiumPath, args: ARGS /* playwright gives every launch a fresh profile directory */ });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Opens a file and returns the console errors and uncaught exceptions it produced. */
async function open(page: Page, file: string): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  // Offline: any request leaving the file would fail the self-contained promise.
  await page.route(/^(?!file:)/, (route) => {
    errors.push(`network request ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector('figure.chart svg');
  return errors;
}

/** Per chart: its kind and how many drawn marks of each type it holds. */
function marksOf(page: Page) {
  return page.$$eval('figure.chart', (figs) =>
    figs.map((f) => ({
      kind: (f as HTMLElement).dataset.kind,
      area: f.querySelectorAll('g[aria-label="area"] path').length,
      line: f.querySelectorAll('g[aria-label="line"] path').length,
      dot: f.querySelectorAll('g[aria-label="dot"] circle').length,
      rect: f.querySelectorAll('g[aria-label="rect"] rect').length,
    })),
  );
}

describe.skipIf(noBrowser)('report.html in Chromium', () => {
  it('renders the compare output with marks in every chart and no console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = await open(page, join(dir, 'report.html'));
    expect(errors).toEqual([]);
    const charts = await marksOf(page);
    const count = (k: string) => charts.filter((c) => c.kind === k).length;
    // 4 methods: a band each on the toy, a reliability diagram and an OOD histogram each on digits.
    expect([count('band'), count('reliability'), count('ood')]).toEqual([4, 4, 4]);
    const nTrain = doc.suites.find((s) => s.name === 'toy-gap')!.nTrain;
    for (const c of charts) {
      if (c.kind === 'band') expect(c).toMatchObject({ area: 2, line: 1, dot: nTrain });
      if (c.kind === 'reliability') expect(c.rect).toBeGreaterThan(0);
      if (c.kind === 'ood') expect(c.rect).toBe(20 * 3);
    }
    // The metrics tables and the orderings are there as text, with the bootstrap SE of each judged difference.
    expect(await page.locator('table.metrics').count()).toBe(2);
    await expect(page.locator('body').innerText()).resolves.toMatch(/Orderings: the field’s against ours[\s\S]*calibration[\s\S]*ensemble ≥ swag/);
    await expect(page.locator('body').innerText()).resolves.toMatch(/Δ [+−]\d\.\d{3} ± \d\.\d{3} SE/);
    await page.close();
  });

  it('reads on a 1366×768 laptop screen: a summary first, navigation that resolves, a legend and axis titles on every chart', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    expect(await open(page, join(dir, 'report.html'))).toEqual([]);
    // The summary of the orderings is the first section, and it starts within the first screen.
    const firstSection = await page.$eval('main section', (s) => ({ id: s.id, top: s.getBoundingClientRect().top }));
    expect(firstSection.id).toBe('summary');
    expect(firstSection.top).toBeLessThan(768);
    expect(await page.locator('#summary table.summary tr').count()).toBe(doc.orderings.length + 1);
    // Every link of the table of contents names an element that exists; one entry per data set.
    const hrefs = await page.$$eval('#toc a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(doc.suites.length * 2);
    for (const h of hrefs) {
      expect(h).toMatch(/^#./);
      expect(await page.locator(`[id="${h.slice(1)}"]`).count(), h).toBe(1);
    }
    for (const s of doc.suites) expect(hrefs).toContain(`#suite-${s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
    // The navigation stays on screen while the page scrolls (sticky), and the page is not wider than the screen.
    await page.click('#toc a[href$="-ood"]');
    const toc = await page.$eval('#toc', (n) => n.getBoundingClientRect().top);
    expect(toc).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    // Every chart: a legend with at least one swatch, and both axes titled.
    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => ({
        caption: f.querySelector('figcaption')?.textContent,
        swatches: f.querySelectorAll('[class*="-swatches"] [class$="-swatch"]').length,
        xTitle: f.querySelector('svg g[aria-label="x-axis label"]')?.textContent ?? '',
        yTitle: f.querySelector('svg g[aria-label="y-axis label"]')?.textContent ?? '',
      })),
    );
    expect(charts.length).toBe(12);
    for (const c of charts) {
      expect(c.swatches, c.caption ?? '').toBeGreaterThan(0);
      expect(c.xTitle.length, c.caption ?? '').toBeGreaterThan(0);
      expect(c.yTitle.length, c.caption ?? '').toBeGreaterThan(0);
    }
    mkdirSync(join(root, 'test-output'), { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(root, 'test-output/report.png') });
    await page.click('#toc a[href$="-bands"]');
    await page.screenshot({ path: join(root, 'test-output/report-bands.png') });
    await page.close();
  });

  it('trains digits on a task hard enough to measure calibration: accuracy well below 100 %, every method judged on the same 601 test images', () => {
    const digits = doc.suites.find((s) => s.name === 'digits')!;
    expect([digits.nTrain, digits.nTest]).toEqual([300, 601]);
    for (const m of digits.methods) {
      expect(m.metrics!.accuracy).toBeGreaterThan(0.8);
      expect(m.metrics!.accuracy).toBeLessThan(0.97);
      expect(m.topClass!.confidence).toHaveLength(601);
    }
    const cal = doc.orderings.find((o) => o.name === 'calibration')!;
    // ensemble ≥ swag and swag > mc-dropout (OOD) are judged against a bootstrap SE; pairs with a method that did not run are not.
    expect(cal.pairs[0]).toMatchObject({ better: 'ensemble', worse: 'swag' });
    expect(cal.pairs[0].se).toBeGreaterThan(0);
    expect(cal.pairs[0].tolerance).toBe(2 * cal.pairs[0].se!);
    expect(cal.pairs.slice(1).map((p) => p.verdict)).toEqual(['missing', 'missing', 'missing']);
    const ood = doc.orderings.find((o) => o.name === 'OOD detection')!;
    expect(ood.pairs[2]).toMatchObject({ better: 'swag', worse: 'mc-dropout' });
    expect(ood.pairs[2].se).toBeGreaterThan(0);
  });

  it('shows the low-rank adapters’ table from eval/LoRA.md, linked from the contents', async () => {
    const page = await browser.newPage();
    expect(await open(page, join(dir, 'report.html'))).toEqual([]);
    expect(doc.lora?.rows.length).toBeGreaterThanOrEqual(7);
    await expect(page.locator('#lora h2').textContent()).resolves.toMatch(/low-rank adapters/i);
    expect(await page.locator('#lora table tr').count()).toBe(doc.lora!.rows.length + 1);
    expect(await page.locator('#lora th').allTextContents()).toEqual(doc.lora!.columns);
    expect(await page.locator('#toc a[href="#lora"]').count()).toBe(1);
    await page.close();
  });

  it('shows R̂/ESS and a trace plot per traced f(x*) when a posterior reports them', async () => {
    const toy = doc.suites.find((s) => s.name === 'toy-gap')!;
    const donor = toy.methods[0];
    const chains = (phase: number) => [0, 1].map((c) => Array.from({ length: 50 }, (_, i) => Math.sin(i / 5 + c + phase)));
    const traces = [
      { label: 'mean f(x*1)', chains: chains(0), rhat: 1.004, essBulk: 180, essTail: 150 },
      { label: 'mean f(x*2)', chains: chains(1), rhat: 1.03, essBulk: 42, essTail: 40 },
    ];
    const withSampler: ReportDoc = {
      ...doc,
      suites: [{ ...toy, methods: [...toy.methods, { ...donor, method: 'sampler-fixture', info: { traces, rhatPredictive: 1.03, essPredictive: 42, divergences: 0, rhatMax: 2.9, essBulkMin: 3.4 }, budget: { chains: 2, warmup: 150, draws: 150 } }] }],
    };
    const file = join(dir, 'sampler.html');
    writeFileSync(file, reportHtml(withSampler, readFileSync(join(root, 'dist/report-page.js'), 'utf8')));
    const page = await browser.newPage();
    expect(await open(page, file)).toEqual([]);
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/Samplers: convergence/);
    expect(text).toMatch(/R̂ of f\(x\*\) \(max\)\s+bulk ESS of f\(x\*\) \(min\)\s+divergences\s+R̂ of weights \(max\)\s+bulk ESS of weights \(min\)/);
    expect(text).toMatch(/sampler-fixture\s+1\.030\s+42\s+0\s+2\.900\s+3/);
    expect(text).toMatch(/x\* = -2, 0, 4/);
    expect(text).toMatch(/sampler-fixture: mean f\(x\*2\) — R̂ 1\.030, bulk ESS 42/);
    // Its metrics row is marked, and a note under the table says why and which budget ran.
    expect(await page.locator('table.metrics td.warn').allInnerTexts()).toEqual(['sampler-fixture ⚠']);
    expect(await page.locator('table.metrics td.warn').getAttribute('title')).toMatch(/^R̂ 1\.030 > 1\.01 on the traced predictive.* bulk ESS 42 < 100/);
    const why = await page.locator('ul.warnings li').allInnerTexts();
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/^sampler-fixture: R̂ \(predictive, worst\) 1\.030, bulk ESS \(worst\) 42, 0 divergences\. R̂ 1\.030 > 1\.01 .* This run used a short budget \(chains 2, warmup 150, draws 150\) .*`bdl fit --method sampler-fixture` runs its defaults\.$/);
    // One chart per traced quantity, one line per chain.
    const charts = (await marksOf(page)).filter((c) => c.kind === 'trace');
    expect(charts).toEqual([expect.objectContaining({ line: 2 }), expect.objectContaining({ line: 2 })]);
    await page.close();
  });
});
