/**
 * Fashion-MNIST as a comparison suite (`bdl compare --dataset fashion`), the data of eval/FASHION.md:
 * the IDX files of Debian's dataset-fashion-mnist (already decompressed by the caller), the first
 * 10,000 training and 2,000 test images by default, pixels / 255, a 1×50 ReLU network. The
 * out-of-distribution images are not MNIST (no package ships it and nothing is downloaded) but the
 * UCI 8×8 handwritten digits scaled to MNIST's layout: a 20×20 box, bilinear, centred in 28×28.
 */
import { makeDataset } from '../data/dataset.js';
import { parseDataset } from '../data/parse.js';
import { BdlError } from '../errors.js';
import type { Suite } from './suites.js';

/** The four files as bytes (gunzipped), by their Debian names without `-idx?-ubyte.gz`. */
export interface FashionFiles {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** An IDX file of unsigned bytes: its dimensions and its data; `rank` is what the caller expects (3 images, 1 labels). */
export function readIdx(bytes: Uint8Array, rank: number, name: string): { shape: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * rank || view.getUint16(0) !== 0 || bytes[2] !== 0x08 || bytes[3] !== rank) {
    throw new BdlError('E_FORMAT', `${name}: not an IDX file of unsigned bytes with ${rank} dimension${rank > 1 ? 's' : ''} (magic 0x0000 08 0${rank}).`, name);
  }
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = shape.reduce((a, b) => a * b, 1);
  const data = bytes.subarray(4 + 4 * rank);
  if (data.length !== size) throw new BdlError('E_FORMAT', `${name}: header says ${shape.join('×')} = ${size} bytes, found ${data.length}.`, name);
  return { shape, data };
}

/** The UCI digits (CSV, 64 pixels 0–16 then the label) as 28×28 images in [0, 1], MNIST's layout. */
export function digitsAsMnist(csv: string): Float32Array {
  const d = parseDataset(csv, { source: 'digits' });
  if (d.inputs !== 64) throw new BdlError('E_SHAPE', `digits: expected 64 pixels and a label per row, found ${d.inputs + 1} columns.`, 'digits');
  const x = new Float32Array(d.n * 784);
  const at = (u: number) => Math.min(7, Math.max(0, (u + 0.5) * 0.4 - 0.5));
  for (let r = 0; r < d.n; r++) {
    const v = d.x.subarray(r * 64, (r + 1) * 64);
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 20; j++) {
        const u = at(i), w = at(j);
        const i0 = Math.floor(u), j0 = Math.floor(w), i1 = Math.min(7, i0 + 1), j1 = Math.min(7, j0 + 1), a = u - i0, b = w - j0;
        const p = (1 - a) * ((1 - b) * v[i0 * 8 + j0] + b * v[i0 * 8 + j1]) + a * ((1 - b) * v[i1 * 8 + j0] + b * v[i1 * 8 + j1]);
        x[r * 784 + (i + 4) * 28 + (j + 4)] = p / 16;
      }
    }
  }
  return x;
}

/** The first `n` images of a pair of IDX files as a data set, pixels / 255. */
function part(images: Uint8Array, labels: Uint8Array, n: number, name: string) {
  const im = readIdx(images, 3, `${name} images`), lb = readIdx(labels, 1, `${name} labels`);
  if (im.shape[1] * im.shape[2] !== 784) throw new BdlError('E_SHAPE', `${name} images: expected 28×28, found ${im.shape[1]}×${im.shape[2]}.`, name);
  if (im.shape[0] !== lb.shape[0]) throw new BdlError('E_SHAPE', `${name}: ${im.shape[0]} images but ${lb.shape[0]} labels.`, name);
  const m = Math.min(n, im.shape[0]);
  const x = new Float32Array(m * 784);
  for (let i = 0; i < x.length; i++) x[i] = im.data[i] / 255;
  return makeDataset({ data: x, cols: 784 }, Float32Array.from(lb.data.subarray(0, m)), 'fashion');
}

export function fashionSuite(files: FashionFiles, digitsCsv: string, o: { trainSize?: number; testSize?: number } = {}): Suite {
  const train = part(files.trainImages, files.trainLabels, o.trainSize ?? 10_000, 'train');
  const test = part(files.testImages, files.testLabels, o.testSize ?? 2_000, 'test');
  const ood = digitsAsMnist(digitsCsv);
  return {
    name: 'fashion',
    task: 'classification',
    description: `Fashion-MNIST: the first ${train.n} training and ${test.n} test images, pixels / 255, 1×50 ReLU; OOD: ${ood.length / 784} UCI 8×8 digits scaled to MNIST's 28×28 layout (MNIST itself is not packaged here)`,
    train,
    test,
    classes: 10,
    ood: [{ name: 'UCI digits (28×28)', key: 'aurocDigits', x: ood }],
    options: { hidden: [50] },
  };
}
