// Networks trained elsewhere: TF.js / Keras layers models, ONNX, safetensors state_dicts.
export { HIDDEN_ACTIVATIONS, lowerLayers, type LayerOp, type ImportedNetwork, type LowerOptions, type OutputTransform } from './layers.js';
export { fetchModel, formatOf, importModel, type FetchOptions, type ImportOptions, type ModelSource } from './load.js';
export { importOnnx } from './onnx.js';
export { importSafetensors, parseLayers, safetensorsHeader } from './safetensors.js';
export { importTfjs, tfjsShardPaths, type TfjsFiles } from './tfjs.js';
export { networkOutputs } from './run.js';
