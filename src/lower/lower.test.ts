/**
 * lowerModel dispatches each layer to its op's int8 lowering (src/ops/<op>.ts); the emitters those
 * attach agree with what the rest of the emitter writes (weights.c, manifest.json), and an op
 * without an int8 part is refused with a UserError naming the layer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableCompilers, compileC, RUNTIME_DIR } from '../verify/compile.js';
import { lowerModel } from './lower.js';
import { emitModel as emitArtifacts, handMadeModel } from '../emit/testing.js';
import { global_average_pool, type GlobalAveragePoolLayer } from '../ops/global_average_pool.js';
import type { QuantizedLayer, QuantizedModel } from '../int8/types.js';
import { layoutShape } from '../cgen/layout.js';
import { UserError } from '../util/errors.js';

describe('lowerModel', () => {
  it('refuses a layer whose op has no int8 part', () => {
    const m = handMadeModel(2);
    const bad = { ...m.layers[0], name: 'sm', op: 'softmax' } as unknown as QuantizedLayer;
    const model: QuantizedModel = { ...m, layers: [bad, ...m.layers.slice(1)] };
    expect(() => lowerModel(model)).toThrow(UserError);
    expect(() => lowerModel(model)).toThrow("layer 'sm' (softmax): op not supported by the C emitter");
  });

  it("each layer's emitter: its params struct declared and its kernel called in model.c, its weight layout in model_weights.c", () => {
    const e = emitArtifacts(handMadeModel(3));
    const text = (f: string) => e.files.get(f)!.toString();
    const dataLayers = e.lowered.layers.filter((c) => c.data);
    expect(dataLayers.length).toBeGreaterThan(0);
    // The hand-made model exercises every kernel variant.
    expect(new Set(e.lowered.layers.map((c) => c.kernel))).toEqual(new Set(['conv_im2col', 'conv', 'dw_conv_3x3', 'conv_1x1', 'dw_conv', 'avg_pool', 'fc']));
    for (const c of e.lowered.layers) {
      expect(text('model.c')).toContain(`static const ${c.emitter.params(c).type.replace(/^onnx2mcu_/, 'model_')} ${c.ident}_params = {`);
      expect(text('model.c')).toMatch(new RegExp(`\\bmodel_\\w+_s8\\(&${c.ident}_params, `));
    }
    for (const c of dataLayers) expect(text('model_weights.c')).toContain(`: weights ${c.data!.layout.name} [${layoutShape(c.data!.layout).join('x')}]; bias int32`);
  });

  it.skipIf(availableCompilers().length === 0)("the params struct sizes the emitters report (manifest flash figures) are the C compiler's sizeof", () => {
    // Every kernel variant: the hand-made model's, plus a global average pool (not in it).
    const q = { scale: 0.1, zeroPoint: -5 };
    const gap: GlobalAveragePoolLayer = {
      name: 'gap', op: 'global_average_pool', origin: ['gap'], inputs: ['x'], output: 'y', inputShapes: [[1, 4, 3, 3]], outputShape: [1, 4, 1, 1],
      inputQ: [q], outputQ: q, actMin: -128, actMax: 127,
    };
    const lowered = [
      ...lowerModel(handMadeModel(3)).layers,
      global_average_pool.int8!.lower(gap, { ident: 'gap', inputs: ['x'], inDims: [{ h: 3, w: 3, c: 4 }], outDims: { h: 1, w: 1, c: 4 }, where: "layer 'gap'" }),
    ];
    expect(new Set(lowered.map((c) => c.kernel)).size).toBe(8);
    const types = new Map<string, number>();
    for (const c of lowered) types.set(c.emitter.params(c).type, c.emitter.paramsBytes);
    const dir = mkdtempSync(join(tmpdir(), 'onnx2mcu-sizeof-'));
    try {
      const src = join(dir, 'sizeof.c');
      writeFileSync(src, [
        '#include <stdio.h>',
        ...[...new Set(lowered.map((c) => c.emitter.runtime.header))].map((h) => `#include "${h}"`),
        'int main(void)',
        '{',
        ...[...types.keys()].map((t) => `    printf("%s %u\\n", "${t}", (unsigned)sizeof(${t}));`),
        '    return 0;',
        '}',
        '',
      ].join('\n'));
      const exe = compileC({ compiler: availableCompilers()[0], sources: [src], includeDirs: [RUNTIME_DIR], out: join(dir, 'sizeof') });
      const printed = new Map(execFileSync(exe).toString().trim().split('\n').map((l) => l.split(' ')).map(([t, n]) => [t, Number(n)]));
      expect(printed).toEqual(types);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
