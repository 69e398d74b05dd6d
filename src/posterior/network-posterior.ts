/**
 * One posterior for every method whose predictive averages the network over weight vectors: a
 * WeightSource (point, members, Gaussian draws, MCMC draws, dropout masks) plus the network spec,
 * the standardizer and the likelihood the spec names. Prediction, the aleatoric/epistemic split,
 * the finiteness check, intervals and the file format are here once; a method contributes its source.
 */
import type { Standardizer } from '../data/standardize.js';
import { Mlp } from '../model/mlp.js';
import { layoutOf, type MlpSpec, type TaskKind } from '../model/spec.js';
import { checkFinite } from './finite.js';
import { predictiveInterval } from './interval.js';
import { holdArena } from './arena-hold.js';
import { checkPredictiveSize, mixturePredictiveYielding, toInputs } from './network.js';
import { formatError, type PosteriorParts } from './parts.js';
import { encodePosterior } from './serialize.js';
import type { SourceDecoder, WeightSource } from './source.js';
import { DrawsSource } from './sources/draws.js';
import { MaskSource } from './sources/masks.js';
import { MeanFieldSource } from './sources/mean-field.js';
import { MembersSource } from './sources/members.js';
import { PointSource } from './sources/point.js';
import { SwagSource } from './sources/swag.js';
import type { Inputs, Posterior, Prediction, PredictOptions, RegressionPredictive } from './types.js';
import { checkPredictOptions } from './predict-options.js';
import { throwIfAborted } from './yielding.js';

/** Gives a regression predictive its `interval` method (not enumerable: the predictive stays plain, cloneable data). */
export function withInterval<P>(p: P): P {
  const r = p as unknown as RegressionPredictive;
  if (r.kind === 'regression') Object.defineProperty(r, 'interval', { value: (level?: number) => predictiveInterval(r, level), enumerable: false });
  return p;
}

/** Engine capacity of a posterior's network (rows per forward chunk), as methods create it. */
const CAPACITY = 256;

export class NetworkPosterior<S extends WeightSource = WeightSource, T extends TaskKind = TaskKind> implements Posterior<T> {
  /** n weight vectors drawn from the posterior (sources that have weights to draw). */
  readonly sampleWeights?: (n: number, seed?: number) => Promise<Float32Array[]>;
  private creating?: Promise<Mlp>;

  constructor(
    /** 'map', 'ensemble', 'mc-dropout', 'swag', 'nuts', … (the file's method name). */
    readonly method: string,
    readonly spec: MlpSpec,
    readonly standardizer: Standardizer | undefined,
    readonly source: S,
    private readonly mlp?: Mlp,
  ) {
    const draw = source.sampleWeights?.bind(source);
    if (draw) this.sampleWeights = async (n, seed = 0) => draw(await this.engine(), n, seed);
  }

  get info(): Record<string, unknown> {
    return this.source.info(this.spec, this.standardizer);
  }

  /** The network engine (created on first use; calls that overlap it share one). */
  engine(): Promise<Mlp> {
    if (this.mlp) return Promise.resolve(this.mlp);
    return (this.creating ??= Mlp.create(this.spec, { capacity: CAPACITY }).catch((e: unknown) => {
      this.creating = undefined;
      throw e;
    }));
  }

  /**
   * The uniform mixture over the source's samples at inputs x (original units). It gives the thread
   * back every ~50 ms of work and stops with E_ABORTED once `opts.signal` is aborted.
   *
   * Why it holds the engine's arena for the call (arena-hold.ts) rather than relying on the sources
   * alone: a source keeps its moments in the arena until the awaited mixture has settled (an
   * async-aware `withSamples`, which is needed anyway), but the arena is a stack, so two such calls
   * suspended at once would still free each other's memory out of order. Concurrent predicts on one
   * engine therefore run one after the other, each with the bits it has alone.
   */
  async predict(x: Inputs, opts: PredictOptions = {}): Promise<Prediction<T>> {
    opts = checkPredictOptions(opts);
    const rows = toInputs(x, this.spec.inputs);
    const S = this.source.count(opts);
    checkPredictiveSize(this.spec, rows.length / this.spec.inputs, S);
    const signal = opts.signal;
    throwIfAborted(signal, 'predict');
    const mlp = await this.engine();
    const p = await holdArena(mlp.arena, signal, 'predict', () =>
      this.source.withSamples(mlp, opts.seed ?? 0, S, (sample) => mixturePredictiveYielding(mlp, this.standardizer, rows, S, sample, { signal, support: this.source.support })),
    );
    return withInterval(checkFinite(p, rows, this.spec.inputs)) as Prediction<T>;
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    return encodePosterior({ method: this.method, spec: this.spec, standardizer: this.standardizer, ...this.source.toParts() });
  }
}

/** Every network method's file, by method name: how its source is rebuilt. */
const DECODERS: Record<string, SourceDecoder> = {
  map: PointSource.fromParts,
  lora: PointSource.fromParts,
  ensemble: MembersSource.fromParts,
  'mc-dropout': MaskSource.fromParts,
  'concrete-dropout': MaskSource.fromParts,
  vi: MeanFieldSource.fromParts,
  swa: SwagSource.fromParts,
  swag: SwagSource.fromParts,
  multiswag: SwagSource.fromParts,
  ...Object.fromEntries(['sgld', 'csgld', 'sghmc', 'sghmc-mh', 'svgd', 'nuts', 'hmc', 'swag-subspace', 'lora-laplace', 'lora-swag', 'lora-vi'].map((m) => [m, DrawsSource.fromParts])),
};

/** The methods whose files hold a network posterior. */
export const NETWORK_METHODS: readonly string[] = Object.keys(DECODERS);

/** The network posterior a decoded file holds, or undefined when its method is not a network method. */
export function networkPosteriorOf(parts: PosteriorParts): NetworkPosterior | undefined {
  const decode = Object.hasOwn(DECODERS, parts.method) ? DECODERS[parts.method] : undefined;
  if (!decode) return undefined;
  if (parts.standardizer) checkStandardizer(parts);
  return new NetworkPosterior(parts.method, parts.spec, parts.standardizer, decode(parts, layoutOf(parts.spec).size));
}

/** The standardizer's vectors match the network's inputs and outputs. */
function checkStandardizer(p: PosteriorParts): void {
  const s = p.standardizer!;
  const ok = (a: Float64Array | undefined, n: number, optional: boolean) => (a === undefined ? optional : a.length === n);
  const T = p.spec.outputs;
  if (!ok(s.xMean, p.spec.inputs, false) || !ok(s.xStd, p.spec.inputs, false) || !ok(s.yMean, T, true) || !ok(s.yStd, T, true)) {
    throw formatError(`${p.method}: the standardizer's lengths do not match ${p.spec.inputs} inputs and ${T} outputs`);
  }
}
