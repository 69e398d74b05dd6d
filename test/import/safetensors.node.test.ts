// A BatchNorm1d's place in a safetensors description: before or after the activation, after a
// dropout, at the output. Each network is a PyTorch module list written here as a safetensors file
// (8-byte LE header length + JSON header + LE data, test/import/hostile.ts) and compared with a float64
// forward pass of PyTorch's eval-mode semantics — BatchNorm1d is (x − running_mean)/√(running_var +
// 1e-5)·weight + bias — and, with dropout, with the same masks given to the engine (MC dropout).
import { describe, expect, it } from 'vitest';
import { importSafetensors } from '../../src/import/safetensors.js';
import type { ImportedNetwork } from '../../src/import/layers.js';
import { Mlp } from '../../src/model/mlp.js';
import { safetensors, type TensorDef } from './hostile.js';

type Module =
  | { kind: 'linear'; name: string; fanIn: number; fanOut: number }
  | { kind: 'bn'; name: string; width: number }
  | { kind: 'relu' | 'tanh' }
  | { kind: 'dropout'; p: number };

/** Deterministic values in (−1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32) * 2 - 1);
  });
}

/** A module list's state_dict, with BatchNorm1d statistics far from (0, 1) so a misplaced norm shows. */
function stateDict(mods: Module[]): Record<string, TensorDef> {
  const t: Record<string, TensorDef> = {};
  mods.forEach((m, i) => {
    if (m.kind === 'linear') {
      t[`${m.name}.weight`] = { shape: [m.fanOut, m.fanIn], values: values(m.fanIn * m.fanOut, 10 + i) };
      t[`${m.name}.bias`] = { shape: [m.fanOut], values: values(m.fanOut, 20 + i) };
    } else if (m.kind === 'bn') {
      t[`${m.name}.weight`] = { shape: [m.width], values: values(m.width, 30 + i).map((v) => Math.fround(1.5 + v)) };
      t[`${m.name}.bias`] = { shape: [m.width], values: values(m.width, 40 + i).map((v) => Math.fround(0.8 * v)) };
      t[`${m.name}.running_mean`] = { shape: [m.width], values: values(m.width, 50 + i).map((v) => Math.fround(0.7 + v)) };
      t[`${m.name}.running_var`] = { shape: [m.width], values: values(m.width, 60 + i).map((v) => Math.fround(0.3 + v * v)) };
      t[`${m.name}.num_batches_tracked`] = { dtype: 'I64', shape: [], values: [7] };
    }
  });
  return t;
}

/** PyTorch's eval-mode forward in float64; dropout multiplies by the given masks (0 or 1/(1 − p)) in module order. */
function reference(mods: Module[], sd: Record<string, TensorDef>, x: number[][], masks: number[][][] = []): number[][] {
  return x.map((row, r) => {
    let h = row.slice();
    let drop = 0;
    for (const m of mods) {
      if (m.kind === 'linear') {
        const W = sd[`${m.name}.weight`].values;
        const b = sd[`${m.name}.bias`].values;
        h = Array.from({ length: m.fanOut }, (_, j) => b[j] + h.reduce((s, v, i) => s + v * W[j * m.fanIn + i], 0));
      } else if (m.kind === 'bn') {
        const g = (k: string) => sd[`${m.name}.${k}`].values;
        h = h.map((v, j) => ((v - g('running_mean')[j]) / Math.sqrt(g('running_var')[j] + 1e-5)) * g('weight')[j] + g('bias')[j]);
      } else if (m.kind === 'relu') h = h.map((v) => Math.max(0, v));
      else if (m.kind === 'tanh') h = h.map(Math.tanh);
      else {
        const m = masks[drop++];
        if (m) h = h.map((v, j) => v * m[r][j]);
      }
    }
    return h;
  });
}

const X = [[0.3, -1.2, 0.8], [1.5, 0.2, -0.4], [-0.7, 0.9, 2.1], [0.05, -0.3, -1.6]];

/** The engine's outputs (before any output transform) at X, with caller-made dropout masks per weight layer. */
async function engine(net: ImportedNetwork, masks: (number[][] | undefined)[] = []): Promise<number[][]> {
  const mlp = await Mlp.create(net.spec, { capacity: X.length });
  const a = mlp.arena;
  const ptrs = masks.map((m) => (m ? a.putF32(m.flat()) : 0));
  const out = mlp.forwardAt(a.putF32(net.theta), a.putF32(X.flat()), X.length, undefined, ptrs.length ? ptrs : undefined);
  const K = mlp.layout.outputWidth;
  const flat = a.getF32(out, X.length * K);
  return X.map((_, r) => Array.from(flat.subarray(r * K, (r + 1) * K)));
}

function expectClose(ours: number[][], theirs: number[][]) {
  expect(ours.length).toBe(theirs.length);
  ours.forEach((row, r) => row.forEach((v, j) => expect(Math.abs(v - theirs[r][j])).toBeLessThan(1e-5 * (1 + Math.abs(theirs[r][j])))));
}

function expectError(f: () => unknown, code: string, message: RegExp) {
  expect(f).toThrow(expect.objectContaining({ name: 'BdlError', code, message: expect.stringMatching(message) }));
}

/** A dropout mask of rows × width: 0 or 1/(1 − p) (in float32, as the engine multiplies). */
function mask(width: number, p: number, seed: number): number[][] {
  const u = values(X.length * width, seed);
  return X.map((_, r) => u.slice(r * width, (r + 1) * width).map((v, j) => ((v + 1) / 2 < p && (r + j) % 3 !== 0 ? 0 : Math.fround(1 / (1 - p)))));
}

describe('safetensors BatchNorm1d: the description says where each one sits', () => {
  // nn.Sequential(Linear(3, 5), ReLU(), BatchNorm1d(5), Linear(5, 2)): module names 0, 2, 3.
  const after: Module[] = [{ kind: 'linear', name: '0', fanIn: 3, fanOut: 5 }, { kind: 'relu' }, { kind: 'bn', name: '2', width: 5 }, { kind: 'linear', name: '3', fanIn: 5, fanOut: 2 }];
  // nn.Sequential(Linear(3, 5), BatchNorm1d(5), ReLU(), Linear(5, 2)): module names 0, 1, 3.
  const before: Module[] = [{ kind: 'linear', name: '0', fanIn: 3, fanOut: 5 }, { kind: 'bn', name: '1', width: 5 }, { kind: 'relu' }, { kind: 'linear', name: '3', fanIn: 5, fanOut: 2 }];

  it('Linear → ReLU → BatchNorm1d ("3-5rb-2") and Linear → BatchNorm1d → ReLU ("3-5br-2") import as PyTorch runs them', async () => {
    for (const [mods, layers, bn] of [[after, '3-5rb-2', '2'], [before, '3-5br-2', '1']] as const) {
      const sd = stateDict([...mods]);
      const net = importSafetensors(safetensors(sd), layers);
      expect(net.folded).toEqual([bn]);
      expectClose(await engine(net), reference([...mods], sd, X));
    }
  });

  it('a file with BatchNorm1d modules and a description that does not place them: E_FORMAT naming the module and both spellings', () => {
    expectError(() => importSafetensors(safetensors(stateDict(after)), '3-5r-2'), 'E_FORMAT', /BatchNorm1d module "2".*"3-5br-2".*before the activation.*"3-5rb-2".*after it/s);
    // Placed at another Linear than the file's module order gives, or one too many: refused too.
    const two: Module[] = [{ kind: 'linear', name: '0', fanIn: 3, fanOut: 4 }, { kind: 'bn', name: '1', width: 4 }, { kind: 'tanh' }, { kind: 'linear', name: '3', fanIn: 4, fanOut: 4 }, { kind: 'tanh' }, { kind: 'linear', name: '5', fanIn: 4, fanOut: 1 }];
    expectError(() => importSafetensors(safetensors(stateDict(two)), '3-4t-4bt-1'), 'E_FORMAT', /marks 1 BatchNorm1d module\(s\) where the state_dict's modules in order are 0 \(Linear\), 1 \(BatchNorm1d\), 3 \(Linear\), 5 \(Linear\)/);
    expectError(() => importSafetensors(safetensors(stateDict(two)), '3-4bt-4bt-1'), 'E_FORMAT', /BatchNorm1d/);
  });

  it('dropout around the norms, as MC dropout runs them (the same masks on both sides)', async () => {
    // Linear → BN → ReLU → Dropout(0.3) → Linear → ReLU → Dropout(0.2) → BN → Linear: "3-5br-d0.3-4r-d0.2-b-2".
    const mods: Module[] = [
      { kind: 'linear', name: '0', fanIn: 3, fanOut: 5 }, { kind: 'bn', name: '1', width: 5 }, { kind: 'relu' }, { kind: 'dropout', p: 0.3 },
      { kind: 'linear', name: '4', fanIn: 5, fanOut: 4 }, { kind: 'relu' }, { kind: 'dropout', p: 0.2 }, { kind: 'bn', name: '7', width: 4 },
      { kind: 'linear', name: '8', fanIn: 4, fanOut: 2 },
    ];
    const sd = stateDict(mods);
    const net = importSafetensors(safetensors(sd), '3-5br-d0.3-4r-d0.2-b-2sm');
    expect(net.spec.dropout).toEqual([0, 0.3, 0.2]);
    expect(net.folded).toEqual(['1', '7']);
    const m1 = mask(5, 0.3, 1);
    const m2 = mask(4, 0.2, 2);
    expectClose(await engine(net, [undefined, m1, m2]), reference(mods, sd, X, [m1, m2]));
    expectClose(await engine(net), reference(mods, sd, X));
  });

  it('what cannot be folded exactly is refused: dropout after the norm, a norm after the output activation', () => {
    const mods: Module[] = [...after.slice(0, 3), { kind: 'dropout', p: 0.5 }, after[3]];
    expectError(() => importSafetensors(safetensors(stateDict(mods)), '3-5rb-d0.5-2'), 'E_FORMAT', /layer "dropout before 3" \(Dropout\): dropout between a batch normalization and the next dense layer/);
    const out: Module[] = [{ kind: 'linear', name: '0', fanIn: 3, fanOut: 5 }, { kind: 'relu' }, { kind: 'linear', name: '2', fanIn: 5, fanOut: 2 }, { kind: 'bn', name: '3', width: 2 }];
    expectError(() => importSafetensors(safetensors(stateDict(out)), '3-5r-2smb'), 'E_FORMAT', /layer "3" \(BatchNorm1d\): a batch normalization after the output activation/);
  });

  it('a norm on a linear output ("2b") folds into the last layer', async () => {
    const out: Module[] = [{ kind: 'linear', name: '0', fanIn: 3, fanOut: 5 }, { kind: 'tanh' }, { kind: 'linear', name: '2', fanIn: 5, fanOut: 2 }, { kind: 'bn', name: '3', width: 2 }];
    const sd = stateDict(out);
    expectClose(await engine(importSafetensors(safetensors(sd), '3-5t-2b')), reference(out, sd, X));
  });

  it('named modules: the order after "@" with the marks; natural order that does not match the marks is refused', async () => {
    const mods: Module[] = [
      { kind: 'linear', name: 'fc1', fanIn: 3, fanOut: 5 }, { kind: 'relu' }, { kind: 'bn', name: 'bn1', width: 5 },
      { kind: 'linear', name: 'fc2', fanIn: 5, fanOut: 4 }, { kind: 'bn', name: 'bn2', width: 4 }, { kind: 'relu' },
      { kind: 'linear', name: 'head', fanIn: 4, fanOut: 1 },
    ];
    const sd = stateDict(mods);
    expectClose(await engine(importSafetensors(safetensors(sd), '3-5rb-4br-1@fc1,bn1,fc2,bn2,head')), reference(mods, sd, X));
    // Natural order is bn1, bn2, fc1, fc2, head: no Linear before bn1.
    expectError(() => importSafetensors(safetensors(sd), '3-5rb-4br-1'), 'E_FORMAT', /BatchNorm1d module "bn1".*"@"/s);
    expectError(() => importSafetensors(safetensors(sd), '3-5r-4r-1@fc1,bn1,fc2,bn2,head'), 'E_FORMAT', /BatchNorm1d modules "bn1" \(after Linear "fc1"\), "bn2" \(after Linear "fc2"\).*"3-5br-4br-1@fc1,bn1,fc2,bn2,head".*"3-5rb-4rb-1@fc1,bn1,fc2,bn2,head"/);
  });
});
