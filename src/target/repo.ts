/**
 * Everything src/target takes from the rest of the repository, in one place: the modules are
 * being moved by the layering refactor, and integrating this folder should be a matter of these
 * few lines. (Test-only: convertModel, in repo_convert.ts.)
 */
export { readManifest, reconstructModel } from '../emit/verify.js';
export { listImages } from '../images/list.js';
export { loadPixelsUint8 } from '../images/load.js';
export { pixelsToInt8Nchw, runInt8 } from '../quant/interpret_int8.js';
export type { QuantizedModel, QuantParams } from '../quant/types.js';
export { mulberry32 } from '../util/random.js';
export { HAVE_SHARED, sharedPath } from '../util/shared.js';
