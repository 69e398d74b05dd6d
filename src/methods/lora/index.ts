/** Low-rank adapters on a frozen network, fine-tuned point and Bayesian (Laplace, SWAG, VI). */
export { LoraAdapters, adapterObjective, LORA_INIT_TAG, type AdapterSpec } from './adapters.js';
export { fitLora, loraLaplace, loraSwag, loraVi, loraViObjective, adapterGgn, laplaceLogEvidence, LORA_DRAW_TAG, LORA_VI_TAG, type LoraFit, type LoraFitOptions, type LoraLaplaceOptions, type LoraSwagOptions, type LoraViOptions } from './bayes.js';
export { adapterJacobian, loraGlmMoments, LoraLaplacePosterior, type LoraGlmParts } from './glm.js';
