// Networks trained elsewhere: TF.js / Keras layers models, ONNX, safetensors state_dicts.
export { HIDDEN_ACTIVATIONS, lowerChain, type ChainOp, type ImportedNetwork, type LowerOptions, type OutputTransform } from './chain.js';
export { fetchModel, formatOf, importModel, type ImportOptions, type ModelSource } from './load.js';
export { importOnnx } from './onnx.js';
export { importSafetensors, parseLayers, safetensorsHeader } from './safetensors.js';
export { importTfjs, tfjsShardPaths, type TfjsFiles } from './tfjs.js';
export { networkOutputs } from './run.js';
