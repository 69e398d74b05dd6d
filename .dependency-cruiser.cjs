// The dependency check (`npm run depcheck`, run by `npm run typecheck`, and by test/architecture/).
// Layers point one way; docs/ARCHITECTURE.md ("Layers") is this map in prose. Every import counts:
// static, side-effect, re-export, type-only and dynamic import() alike.
const KERNELS = '^src/(errors\\.ts|signal\\.ts|options/|wasm/|random/|linalg/)';
const POOL = '^src/pool/';
const ENGINE = '^src/(data|model|train|posterior|metrics|diagnostics|samplers|import)/';
const METHODS = '^src/methods/';
const ORCHESTRATION = '^(src/orchestration/|src/queue/|workers/)';
const APP = '^(src/cli/|src/report/|src/index\\.ts$|src/subpaths/|demo/)';

/** A rule forbidding imports from `from` into any of `to`. */
const below = (name, from, to, why) => ({ name, severity: 'error', comment: why, from: { path: from }, to: { path: `(${to.join('|')})` } });

module.exports = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', comment: 'No import cycle of any kind (type-only and dynamic import() included).', from: {}, to: { circular: true } },
    below('kernels-stay-kernels', KERNELS, [POOL, ENGINE, METHODS, ORCHESTRATION, APP], 'Kernels (wasm, random, linalg, errors) import only kernels.'),
    below('pool-knows-no-method', POOL, [ENGINE, METHODS, ORCHESTRATION, APP], 'The pool runtime runs registered task kinds and knows nothing of what they compute.'),
    below('engine-below-methods', ENGINE, [METHODS, ORCHESTRATION, APP], 'The engine (data, model, train, posterior, metrics, diagnostics, samplers, import) never imports a method.'),
    below('methods-below-orchestration', METHODS, [ORCHESTRATION, APP], 'Methods never import the task table, the worker entries, the CLI, the report or the demo.'),
    below('orchestration-below-app', ORCHESTRATION, [APP], 'Orchestration never imports the CLI, the report, the demo or the package entry.'),
    { name: 'in-a-layer', severity: 'error', comment: 'Every module of src/ belongs to a layer: a new folder is added to this map (and to docs/ARCHITECTURE.md).', from: { path: '^src/', pathNot: `(${[KERNELS, POOL, ENGINE, METHODS, ORCHESTRATION, APP].join('|')})` }, to: {} },
    { name: 'no-test-code', severity: 'error', comment: 'Production code never imports tests.', from: { path: '^(src|workers|demo)/' }, to: { path: '^test/' } },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|build)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
