export { keyOf, philox4x32, Rng, uniformF32OfWord, uniformF64OfWords } from './philox.js';
