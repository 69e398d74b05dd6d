/**
 * The browser demo: click points on a 1-D canvas, pick methods, and see each method's predictive band.
 * Every method trains in a worker of the library's pool ('band' tasks), so the page never freezes;
 * progress is shown per run and Cancel aborts it. It opens on the example points with the default
 * methods already running, so bands show without a click.
 */
// The built library (dist/index.js, copied beside the page with its worker): the demo build maps this import to it.
import { createPool, METHODS, type Pool } from '../src/index.js';
import { runBand, type BandResult } from './band.js';
import { mountImportPanel } from './import-panel.js';
import { DEFAULT_METHODS, DEMO_OPTIONS, examplePoints } from './options.js';

const X0 = -5;
const X1 = 5;
const Y0 = -3;
const Y1 = 3;
const GRID = Array.from({ length: 121 }, (_, i) => X0 + ((X1 - X0) * i) / 120);
const points: { x: number; y: number }[] = [];
const input = document.getElementById('input') as HTMLCanvasElement;
const statusEl = document.getElementById('status')!;
const progress = document.getElementById('progress') as HTMLProgressElement;
const runBtn = document.getElementById('run') as HTMLButtonElement;
const cancelBtn = document.getElementById('cancel') as HTMLButtonElement;
const panels = document.getElementById('panels')!;
let pool: Pool | undefined;
let controller: AbortController | undefined;

// Method picker: every method of the library's table.
const picker = document.getElementById('methods')!;
for (const name of Object.keys(METHODS)) {
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: name, checked: DEFAULT_METHODS.includes(name) });
  const label = document.createElement('label');
  label.append(box, ` ${name}`);
  label.title = METHODS[name].summary;
  picker.append(label);
}

const sx = (c: HTMLCanvasElement, x: number) => ((x - X0) / (X1 - X0)) * c.width;
const sy = (c: HTMLCanvasElement, y: number) => ((Y1 - y) / (Y1 - Y0)) * c.height;

function drawPoints(c: HTMLCanvasElement): void {
  const g = c.getContext('2d')!;
  g.fillStyle = '#111';
  for (const p of points) {
    g.beginPath();
    g.arc(sx(c, p.x), sy(c, p.y), 3, 0, 2 * Math.PI);
    g.fill();
  }
}

function drawAxes(c: HTMLCanvasElement): void {
  const g = c.getContext('2d')!;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, c.width, c.height);
  g.strokeStyle = '#ddd';
  g.beginPath();
  g.moveTo(0, sy(c, 0));
  g.lineTo(c.width, sy(c, 0));
  g.moveTo(sx(c, 0), 0);
  g.lineTo(sx(c, 0), c.height);
  g.stroke();
}

function redrawInput(): void {
  drawAxes(input);
  drawPoints(input);
}

/** One band: lower and upper edges as a closed polygon. */
function fillBand(c: HTMLCanvasElement, lo: number[], hi: number[], color: string): void {
  const g = c.getContext('2d')!;
  g.fillStyle = color;
  g.beginPath();
  GRID.forEach((x, i) => (i ? g.lineTo(sx(c, x), sy(c, hi[i])) : g.moveTo(sx(c, x), sy(c, hi[i]))));
  for (let i = GRID.length - 1; i >= 0; i--) g.lineTo(sx(c, GRID[i]), sy(c, lo[i]));
  g.closePath();
  g.fill();
}

function drawBand(c: HTMLCanvasElement, r: BandResult): void {
  drawAxes(c);
  const m = Array.from(r.mean);
  const tot = m.map((_, i) => 2 * Math.sqrt(r.aleatoric[i] + r.epistemic[i]));
  const epi = m.map((_, i) => 2 * Math.sqrt(r.epistemic[i]));
  fillBand(c, m.map((v, i) => v - tot[i]), m.map((v, i) => v + tot[i]), '#f4b183');
  fillBand(c, m.map((v, i) => v - epi[i]), m.map((v, i) => v + epi[i]), '#3b7dd8');
  const g = c.getContext('2d')!;
  g.strokeStyle = '#111';
  g.lineWidth = 1.5;
  g.beginPath();
  GRID.forEach((x, i) => (i ? g.lineTo(sx(c, x), sy(c, m[i])) : g.moveTo(sx(c, x), sy(c, m[i]))));
  g.stroke();
  drawPoints(c);
}

type PanelState = 'training' | 'done' | 'error' | 'idle';

/** Sets a panel's title (full text on hover: long error messages are cut to one line) and state. */
function setPanel(method: string, state: PanelState, text: string): void {
  const p = panelFor(method);
  p.title.textContent = text;
  p.title.title = text;
  p.div.dataset.state = state;
}

function panelFor(method: string): { div: HTMLElement; canvas: HTMLCanvasElement; title: HTMLElement } {
  let div = panels.querySelector<HTMLElement>(`[data-band="${method}"]`);
  if (!div) {
    div = Object.assign(document.createElement('div'), { className: 'panel' });
    div.dataset.band = method;
    div.append(Object.assign(document.createElement('div'), { className: 'title' }), Object.assign(document.createElement('canvas'), { width: 320, height: 160 }));
    panels.append(div);
  }
  return { div, canvas: div.querySelector('canvas')!, title: div.querySelector('.title')! };
}

input.addEventListener('click', (e) => {
  const rect = input.getBoundingClientRect();
  const x = X0 + ((e.clientX - rect.left) / rect.width) * (X1 - X0);
  const y = Y1 - ((e.clientY - rect.top) / rect.height) * (Y1 - Y0);
  points.push({ x, y });
  redrawInput();
});

document.getElementById('clear')!.addEventListener('click', () => {
  points.length = 0;
  redrawInput();
});

function useExample(): void {
  points.splice(0, points.length, ...examplePoints());
  redrawInput();
}

document.getElementById('example')!.addEventListener('click', useExample);

cancelBtn.addEventListener('click', () => controller?.abort());

async function run(): Promise<void> {
  const methods = [...picker.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
  if (points.length < 2 || methods.length === 0) {
    statusEl.textContent = 'add at least 2 points and pick a method';
    return;
  }
  runBtn.disabled = true;
  cancelBtn.disabled = false;
  controller = new AbortController();
  const done = new Array<number>(methods.length).fill(0);
  const t0 = performance.now();
  statusEl.textContent = `training ${methods.join(', ')} on ${points.length} points…`;
  for (const m of methods) {
    setPanel(m, 'training', `${m}: training…`);
    panelFor(m).canvas.dataset.drawn = 'false';
  }
  try {
    // The demo's own worker entry knows 'band' (demo/worker.ts); the page registers it too, for the pool's kind check.
    pool ??= await createPool({ workerUrl: new URL('./demo-worker.js', import.meta.url), tasks: { band: runBand } });
    const data = { x: Float32Array.from(points, (p) => p.x), y: Float32Array.from(points, (p) => p.y) };
    const tasks = methods.map((method, i) => ({ kind: 'band', options: { method, grid: GRID, ...DEMO_OPTIONS[method] }, seed: 0, stream: i }));
    const outcomes = await pool.runSettled<BandResult>(tasks, {
      data,
      signal: controller.signal,
      onProgress: (e) => {
        done[e.taskId] = e.total ? e.step / e.total : 0;
        progress.value = done.reduce((a, b) => a + b, 0) / methods.length;
      },
    });
    outcomes.forEach((o, i) => {
      const p = panelFor(methods[i]);
      if (o.ok) {
        drawBand(p.canvas, o.value);
        p.canvas.dataset.drawn = 'true';
        if (o.value.loss !== undefined) p.div.dataset.loss = String(o.value.loss);
        // The band's mean, for tests and for anyone inspecting the page.
        p.div.dataset.mean = JSON.stringify(Array.from(o.value.mean, (v) => +v.toFixed(4)));
        const v = o.value;
        const loss = v.acceptance !== undefined
          ? `, acceptance ${v.acceptance.toFixed(2)}, ${v.divergences ?? 0} divergent`
          : v.loss === undefined ? '' : `, training loss ${v.loss.toFixed(3)}`;
        setPanel(methods[i], 'done', `${methods[i]}: ${o.value.seconds.toFixed(2)} s${loss}`);
      } else {
        setPanel(methods[i], 'error', `${methods[i]}: ${o.error.message}`);
      }
    });
    progress.value = 1;
    statusEl.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(2)} s`;
  } catch (e) {
    const cancelled = controller.signal.aborted;
    statusEl.textContent = cancelled ? 'cancelled' : `error: ${(e as Error).message}`;
    // Panels of this run that did not finish go back to idle (or show the error), never stay "training…".
    for (const m of methods) if (panelFor(m).div.dataset.state === 'training') setPanel(m, cancelled ? 'idle' : 'error', cancelled ? `${m}: cancelled` : `${m}: ${(e as Error).message}`);
    progress.value = 0;
  } finally {
    runBtn.disabled = false;
    cancelBtn.disabled = true;
  }
}

runBtn.addEventListener('click', () => void run());

// Open with the example points and the default methods already running.
useExample();
void run();

// A network trained elsewhere (demo/import-panel.ts): its training data may be the points above.
mountImportPanel(document.body, () => points);
