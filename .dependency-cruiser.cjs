/**
 * The architecture on one page: which folder may import which. `make deps-check` (part of
 * `make test` and `make check`) fails on a violation.
 *
 * Layers, bottom to top. A module may import its own layer and the layers below, never above;
 * no circular imports, and no cycles between folders either (a folder is a unit of the design).
 *
 *   0 util        errors, atomic writes, output-path policy, shared-data paths, seeded random, the compiled-object cache
 *   1 libraries   ir (Graph, Tensor, dump) · images (decode, resize, scale) · int8 (the quantized-model
 *                 contract and its exact arithmetic, window statistics, the quantization building
 *                 blocks ops use) · onnx/proto (protobuf codec, QDQ builder) · cgen (C writer, C layer
 *                 types, weight layouts) · ops/kernels (float kernels) · runtime (the C sources) ·
 *                 artifacts (manifest.json and weights.bin: one type, writer and reader) · progress
 *                 (the progress display of long commands)
 *   2 ops         one file per op: shape rule, float reference, toOnnx, quantization, int8 reference,
 *                 QDQ form, C lowering; the registry
 *   3 stages      dispatchers over the registry: graph (infer, verify, interpret), onnx (import,
 *                 export), tfjs, model_source, passes, quant, lower, memory, emit, crosscheck,
 *                 verify, generate, target, report
 *   4 pipeline    the stage list and its runners
 *   5 top         cli, sweep (the width × resolution sweep: converts, benchmarks), bench, bin
 *                 (and fixtures, test-only)
 *
 * Tests (*.test.ts) and their helpers (testing.ts) may import anything and are not cruised.
 */
const LAYERS = [
  { name: 'util', path: '^src/util/' },
  {
    name: 'libraries',
    path: '^src/(ir|images|int8|onnx/proto|cgen|ops/kernels|runtime|artifacts|progress)/',
  },
  { name: 'ops', path: '^src/ops/(?!kernels/)' },
  {
    name: 'stages',
    path: '^src/(graph|onnx/(?!proto/)[^/]+$|tfjs|model_source|passes|quant|lower|memory|emit|crosscheck|verify|generate|target|report)',
  },
  { name: 'pipeline', path: '^pipeline/' },
  { name: 'top', path: '^(src/cli|src/sweep|bench|bin|fixtures)/' },
];

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name}`,
  comment: `${layer.name} (layer ${i}) may not import a higher layer (${LAYERS.slice(i + 1).map((l) => l.name).join(', ')})`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(i + 1).map((l) => `(${l.path})`).join('|') },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no module imports itself through others', severity: 'error', from: {}, to: { circular: true } },
    { name: 'no-folder-cycle', comment: 'no two folders import each other, directly or through others', severity: 'error', scope: 'folder', from: {}, to: { circular: true } },
    {
      name: 'every-module-in-a-layer',
      comment: 'a source folder not on the map: add it to LAYERS',
      severity: 'error',
      from: { path: '^(src|pipeline)/', pathNot: LAYERS.map((l) => `(${l.path})`).join('|') },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc parses the .ts files.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^node_modules/)|(\\.test\\.ts$)|(testing\\.ts$)|(^src/tfjs/fixtures\\.ts$)' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
