/** The C emission stage's public API (used by src/cli and bench/). */
export { convertModel, type ConvertOptions, type ConvertResult } from './convert.js';
export { verifyArtifacts, reconstructModel, type VerifyOptions, type VerifyResult } from '../verify/verify.js';
export { emitArtifacts, writeArtifacts, generatorVersion, type EmitOptions, type Emitted } from './emit.js';
export { availableCompilers, compileC, STRICT_FLAGS, SANITIZE_FLAGS, type Compiler } from '../verify/compile.js';
export { readBlob, writeBlob, crc32 } from './blob.js';
