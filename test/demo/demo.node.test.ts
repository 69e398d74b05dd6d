// The browser demo in real Chromium: built, served over HTTP (module workers need http). It opens on
// the example points with the default methods running; with every method of the picker checked, every
// panel runs to the end with an uncertainty band and a converged fit (checks per family below, against
// runs 4× as long made here in Node); Cancel mid-run returns a panel of each family (training, Laplace,
// Markov chain, SG-MCMC) to idle. Screenshots: test-output/demo.png, demo-all.png.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_METHODS, DEMO_OPTIONS, examplePoints } from '../../demo/options.js';
import { createPool } from '../../src/index.js';
import { runBand, type BandResult } from '../../demo/band.js';
import { chromiumArgs, chromiumPath } from '../../vitest.config.js';
import { serve, type Served } from '../consumers/serve.js';
import { skipWithoutChromium } from '../helpers/chromium.js';

const root = resolve(__dirname, '../..');
const GRID = Array.from({ length: 121 }, (_, i) => -5 + (10 * i) / 120);
/** Grid points inside the data (x in [−3, −1] ∪ [1, 3]): where a converged fit is pinned down. */
const INSIDE = GRID.map((x, i) => [x, i] as const).filter(([x]) => Math.abs(x) >= 1 && Math.abs(x) <= 3).map(([, i]) => i);
/** Long runs: 4× the demo's epochs (for SG-MCMC, 4× the sampler's epochs). */
const LONG = 4;

/** Families: each panel's convergence is judged as its method allows. */
const TRAINING = ['map', 'ensemble', 'mc-dropout', 'concrete-dropout', 'vi', 'swa', 'swag', 'multiswag', 'laplace', 'svgd'];
const CHAINS = ['nuts', 'hmc', 'swag-subspace'];
const SGMCMC = ['sgld', 'csgld', 'sghmc', 'sghmc-mh'];
/** Point estimates: no epistemic band, the aleatoric one only. */
const POINT = ['map', 'swa'];

/**
 * Training loss (mean per example, the last 20 epochs averaged — under an annealed rate the last 5 %:
 * demo/band.ts) within LOSS_TOL of the 4× run. Deterministic objectives (MAP, SWA, SWAG, MultiSWAG,
 * Laplace's MAP, full-batch SVGD and ensemble members) were measured within 0.01 (MAP 0.9251 vs 0.9257,
 * the ensemble −0.6462 vs −0.6464 and within 0.003 for seeds 1, 2); those that draw noise every step
 * (dropout masks, VI's weights) within 0.03 (VI 1.9718 vs 1.9864, within 0.015 for seeds 0–3; MC
 * dropout −0.069 vs −0.042).
 */
const LOSS_TOL: Record<string, number> = { 'mc-dropout': 0.06, 'concrete-dropout': 0.06, vi: 0.06 };
const LOSS_TOL_DETERMINISTIC = 0.02;
/**
 * A fit, not just a settled one: the band mean, read off the grid at the 24 points, within FIT_RMSE of
 * their targets (the points' own noise is 0.11 RMS; a flat mean, as VI's with a fitted σ, is 0.9 away).
 * Measured in Chromium: 0.10–0.12 for the training methods but Concrete dropout (0.27: its learnt
 * dropout rates smooth the fit); 0.02–0.17 for the Markov chains, ≈ 0.1 for SG-MCMC.
 */
const FIT_RMSE = 0.3;
/**
 * Band mean inside the data within MEAN_TOL (RMSE) of the 4× run (the points' noise is ±0.15; the demo's
 * old default, 300 epochs at 1e-3 with λ = 1, was 0.45 from the generating curve). Measured: ≤ 0.10
 * for training methods, ≤ 0.032 for SG-MCMC (SGHMC), which are held to SGMCMC_MEAN_TOL.
 */
const MEAN_TOL = 0.2;
const SGMCMC_MEAN_TOL = 0.1;
/** Markov chains: no divergent transition, R̂ of the traced predictive (or the subspace coordinates) below 1.1, acceptance in range. */
const RHAT_MAX = 1.1;
const ACCEPTANCE: Record<string, [number, number]> = { nuts: [0.6, 0.99], hmc: [0.6, 0.99], 'swag-subspace': [0.6, 0.99], 'sghmc-mh': [0.3, 0.95] };

/** RMSE of a band mean on GRID, linearly interpolated at the example points, against their targets. */
function fitRmse(mean: number[]): number {
  const pts = examplePoints();
  const step = GRID[1] - GRID[0];
  const at = (x: number) => {
    const i = Math.min(GRID.length - 2, Math.floor((x - GRID[0]) / step));
    const u = (x - GRID[i]) / step;
    return (1 - u) * mean[i] + u * mean[i + 1];
  };
  return Math.sqrt(pts.reduce((s, p) => s + (at(p.x) - p.y) ** 2, 0) / pts.length);
}

let served: Served;
let browser: Browser;
const long = new Map<string, BandResult>();

const skip = skipWithoutChromium('test/demo/demo.node.test.ts');

beforeAll(async () => {
  if (skip) return;
  execFileSync(process.execPath, ['scripts/demo.mjs'], { cwd: root });
  mkdirSync(join(root, 'test-output'), { recursive: true });
  served = await serve(join(root, 'demo/dist'));
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const pts = examplePoints();
  const data = { x: Float32Array.from(pts, (p) => p.x), y: Float32Array.from(pts, (p) => p.y) };
  const pool = await createPool({ size: 0, tasks: { band: runBand } });
  const methods = [...TRAINING, ...SGMCMC];
  const tasks = methods.map((method, i) => {
    const o = DEMO_OPTIONS[method];
    return { kind: 'band', options: { method, grid: GRID, options: { ...o, epochs: LONG * (o.epochs as number) } }, seed: 0, stream: i };
  });
  (await pool.run<BandResult>(tasks, { data })).forEach((r, i) => long.set(methods[i], r));
  await pool.close();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

/** A panel's facts as the page left them on its element. */
async function panelFacts(page: Page, method: string) {
  return page.locator(`[data-band="${method}"]`).evaluate((p: HTMLElement) => {
    const n = (k: string) => (p.dataset[k] === undefined ? undefined : Number(p.dataset[k]));
    const c = p.querySelector('canvas')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let epi = 0;
    let total = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - 0x3b) < 8 && Math.abs(d[i + 1] - 0x7d) < 8 && Math.abs(d[i + 2] - 0xd8) < 8) epi++;
      else if (Math.abs(d[i] - 0xf4) < 8 && Math.abs(d[i + 1] - 0xb1) < 8 && Math.abs(d[i + 2] - 0x83) < 8) total++;
    }
    return {
      state: p.dataset.state,
      title: p.querySelector('.title')!.textContent!,
      whiteSpace: getComputedStyle(p.querySelector('.title')!).whiteSpace,
      mean: JSON.parse(p.dataset.mean ?? '[]') as number[],
      epistemic: JSON.parse(p.dataset.epistemic ?? '[]') as number[],
      loss: n('loss'), acceptance: n('acceptance'), divergences: n('divergences'), rhat: n('rhat'),
      pixels: { epi, total },
    };
  });
}

/** Every check of a finished panel: done, a drawn band, and a converged fit as its family allows. */
async function expectConverged(page: Page, method: string): Promise<void> {
  const f = await panelFacts(page, method);
  expect(f.state, f.title).toBe('done');
  expect(f.whiteSpace, 'titles stay on one line (a long error message must not break the grid)').toBe('nowrap');
  // An uncertainty band: finite, drawn over a visible area of the panel's canvas, and for every method
  // but the point estimates an epistemic part that is neither zero nor blown up (σ averaged over the grid).
  expect(f.mean.length, method).toBe(GRID.length);
  expect([...f.mean, ...f.epistemic].every(Number.isFinite), `${method}: finite band`).toBe(true);
  expect(f.pixels.epi + f.pixels.total, `${method}: band drawn`).toBeGreaterThan(500);
  if (!POINT.includes(method)) {
    const sd = f.epistemic.reduce((s, v) => s + Math.sqrt(v), 0) / f.epistemic.length;
    expect(sd, `${method}: epistemic σ`).toBeGreaterThan(1e-3);
    expect(sd, `${method}: epistemic σ`).toBeLessThan(3);
  }
  expect(fitRmse(f.mean), `${method}: band mean at the points vs their targets`).toBeLessThan(FIT_RMSE);
  const ref = long.get(method);
  const rmse = ref && Math.sqrt(INSIDE.reduce((s, i) => s + (f.mean[i] - ref.mean[i]) ** 2, 0) / INSIDE.length);
  if (TRAINING.includes(method)) {
    expect(rmse, `${method}: band mean vs ${LONG}× epochs`).toBeLessThan(MEAN_TOL);
    expect(f.loss, `${method}: reports its loss`).toBeDefined();
    expect(Math.abs(f.loss! - ref!.loss!), `${method}: loss ${f.loss} vs ${ref!.loss} at ${LONG}× epochs`).toBeLessThan(LOSS_TOL[method] ?? LOSS_TOL_DETERMINISTIC);
  } else if (SGMCMC.includes(method)) {
    expect(rmse, `${method}: predictive mean vs ${LONG}× sampler epochs`).toBeLessThan(SGMCMC_MEAN_TOL);
  } else {
    expect(CHAINS).toContain(method);
    expect(f.divergences, `${method}: divergent transitions`).toBe(0);
    expect(f.rhat, `${method}: R̂`).toBeLessThan(RHAT_MAX);
  }
  const range = ACCEPTANCE[method];
  if (range) {
    expect(f.acceptance, `${method}: acceptance`).toBeGreaterThan(range[0]);
    expect(f.acceptance, `${method}: acceptance`).toBeLessThan(range[1]);
  }
}

const finished = (n: number) => document.querySelectorAll('.panel[data-state="done"], .panel[data-state="error"]').length === n && document.querySelector('#status')!.textContent!.startsWith('done');

describe.skipIf(skip)('demo page', () => {
  it('opens with the example points and runs every default panel to a converged fit with an uncertainty band', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await page.waitForFunction(finished, DEFAULT_METHODS.length, { timeout: 90_000 });
    for (const method of DEFAULT_METHODS) await expectConverged(page, method);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(root, 'test-output/demo.png') });
    await page.close();
  });

  it('runs every panel the page offers, enabled through its method picker, to a converged fit with an uncertainty band', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await page.waitForFunction(() => document.querySelector('#status')!.textContent!.startsWith('done'), undefined, { timeout: 90_000 });
    const offered = await page.$$eval('#methods input[type="checkbox"]', (bs) => bs.map((b) => (b as HTMLInputElement).value));
    expect([...offered].sort()).toEqual([...TRAINING, ...CHAINS, ...SGMCMC].sort());
    for (const m of offered) await page.check(`#methods input[value="${m}"]`);
    await page.click('#run');
    await page.waitForFunction(finished, offered.length, { timeout: 150_000 });
    for (const method of offered) await expectConverged(page, method);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(root, 'test-output/demo-all.png'), fullPage: true });
    await page.close();
  }, 200_000);

  it('Cancel mid-run returns a panel of each family (training, Laplace, Markov chain, SG-MCMC) to idle, and the page runs again', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await page.waitForFunction(() => document.querySelector('#status')!.textContent!.startsWith('done'), undefined, { timeout: 90_000 });
    // 400 points: every method then trains for seconds, so Cancel lands while its task is running
    // (on the 24 example points SGLD finishes in a tenth of a second).
    await page.click('#clear');
    await page.locator('#input').evaluate((c: HTMLCanvasElement) => {
      const r = c.getBoundingClientRect();
      for (let i = 0; i < 400; i++) {
        const u = (i + 0.5) / 400;
        const y = 0.5 - 0.3 * Math.sin(9 * u) + 0.04 * Math.sin(37 * i);
        c.dispatchEvent(new MouseEvent('click', { clientX: r.left + (0.2 + 0.6 * u) * r.width, clientY: r.top + y * r.height, bubbles: true }));
      }
    });
    const checkOnly = (m: string) => page.$$eval('#methods input', (bs, keep) => bs.forEach((b) => ((b as HTMLInputElement).checked = (b as HTMLInputElement).value === keep)), m);
    for (const method of ['mc-dropout', 'laplace', 'nuts', 'sgld']) {
      await checkOnly(method);
      // Cancel as soon as its task reports progress from the worker (it is running, not queued),
      // checked and clicked in one step in the page. On a loaded machine a run can end between two
      // looks; it is then run again (at most 5 times) until the click lands mid-run.
      let outcome = 'ended';
      for (let attempt = 0; attempt < 5 && outcome === 'ended'; attempt++) {
        await page.click('#run');
        const handle = await page.waitForFunction(() => {
          const cancel = document.querySelector('#cancel') as HTMLButtonElement;
          if (cancel.disabled) return document.querySelector('#status')!.textContent!.startsWith('done') ? 'ended' : false;
          if ((document.querySelector('#progress') as HTMLProgressElement).value === 0) return false;
          cancel.click();
          return 'clicked';
        }, undefined, { timeout: 30_000, polling: 5 });
        outcome = (await handle.jsonValue()) as string;
      }
      expect(outcome, method).toBe('clicked');
      await page.waitForFunction(() => document.querySelector('#status')!.textContent === 'cancelled', undefined, { timeout: 10_000 });
      const f = await panelFacts(page, method);
      expect([f.state, f.title], method).toEqual(['idle', `${method}: cancelled`]);
      expect(await page.locator('body').innerText(), method).not.toContain('training…');
      expect(await page.$$eval('.panel', (ps) => ps.filter((p) => (p as HTMLElement).dataset.state === 'training').length)).toBe(0);
      expect(await page.isEnabled('#run')).toBe(true);
    }
    // The workers are free again: a new run goes to the end.
    await checkOnly('map');
    await page.click('#run');
    await page.waitForFunction(() => document.querySelector('#status')!.textContent!.startsWith('done'), undefined, { timeout: 30_000 });
    expect((await panelFacts(page, 'map')).state).toBe('done');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
