/**
 * Everything src/target takes from the rest of the repository, in one place. (Test-only:
 * convertModel, in convert_testing.ts.)
 */
export { readManifest, reconstructModel } from '../artifacts/manifest.js';
export { listImages } from '../images/list.js';
export { loadPixelsUint8 } from '../images/load.js';
export { pixelsToInt8Nchw, runInt8 } from '../quant/interpret_int8.js';
export type { QuantizedModel, QuantParams } from '../int8/types.js';
export { mulberry32 } from '../util/random.js';
export { HAVE_SHARED, sharedPath } from '../util/shared.js';
