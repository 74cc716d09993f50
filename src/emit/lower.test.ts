/**
 * lowerModel dispatches each layer to its op's int8 lowering (src/ops/<op>.ts); the emitters those
 * attach agree with what the rest of the emitter writes (weights.c, manifest.json), and an op
 * without an int8 part is refused with a UserError naming the layer.
 */
import { describe, expect, it } from 'vitest';
import { emitArtifacts } from './emit.js';
import { lowerModel } from './lower.js';
import { handMadeModel } from './testing.js';
import type { QuantizedLayer, QuantizedModel } from '../quant/types.js';
import { UserError } from '../util/errors.js';

describe('lowerModel', () => {
  it('refuses a layer whose op has no int8 part', () => {
    const m = handMadeModel(2);
    const bad = { ...m.layers[0], name: 'sm', op: 'softmax' } as unknown as QuantizedLayer;
    const model: QuantizedModel = { ...m, layers: [bad, ...m.layers.slice(1)] };
    expect(() => lowerModel(model)).toThrow(UserError);
    expect(() => lowerModel(model)).toThrow("layer 'sm' (softmax): op not supported by the C emitter");
  });

  it("each layer's emitter: its function called and params struct declared in model.c, its layout in weights.c, its size in the manifest", () => {
    const e = emitArtifacts(handMadeModel(3));
    const text = (f: string) => e.files.get(f)!.toString();
    const dataLayers = e.lowered.layers.filter((c) => c.weights);
    expect(dataLayers.length).toBeGreaterThan(0);
    for (const c of e.lowered.layers) {
      expect(c.kernel).toBe(c.emitter.kernel);
      expect(text('model.c')).toContain(`    ${c.emitter.fn}(&${c.ident}_params, `);
      expect(text('model.c')).toContain(`static const ${c.emitter.params(c).type} ${c.ident}_params = {`);
      expect(c.emitter.weightLayout === undefined, c.ident).toBe(c.weights === undefined);
    }
    for (const c of dataLayers) expect(text('weights.c')).toContain(`: weights ${c.emitter.weightLayout!(c)}; bias int32`);
    const structs = JSON.parse(text('manifest.json')).flash.sections.layer_structs;
    expect(structs).toBe(dataLayers.length * 16 + e.lowered.layers.reduce((s, c) => s + c.emitter.paramsBytes, 0));
  });
});
