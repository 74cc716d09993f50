/**
 * Weight decoding against tfjs-core's own decoder (tf.io.decodeWeights) on the same bytes, and a
 * small model with quantized weights in several groups and shards against tfjs-converter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFloat } from '../graph/interpret.js';
import { floatTensor } from '../ir/tensor.js';
import { importTfjs } from './import.js';
import { attr, constNode, convAttrs, floatWeight, loadReferenceModel, placeholder, runReference, seededValues, tfjs, tfNode, weightBytes, writeGraphModel } from './testing.js';
import type { WeightJson } from './testing.js';
import type { WeightSpec } from './weights.js';
import { decodeWeight, float16ToNumber, storedByteLength } from './weights.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-tfjs-weights-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function spec(w: WeightJson): WeightSpec {
  return { name: w.name, shape: w.shape, dtype: w.dtype, quantization: w.quantization, field: `weightsManifest[0].weights[0] '${w.name}'` };
}

/** tfjs-core's decoding of the same stored bytes. */
async function tfjsDecode(w: WeightJson): Promise<ArrayLike<number>> {
  const { tf } = await tfjs();
  const bytes = weightBytes(w);
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const t = tf.io.decodeWeights(buf, [{ name: w.name, shape: w.shape, dtype: w.dtype, ...(w.quantization ? { quantization: w.quantization } : {}) }])[w.name];
  const data = t.dataSync() as ArrayLike<number>;
  t.dispose();
  return data;
}

async function expectSameAsTfjs(w: WeightJson): Promise<ArrayLike<number>> {
  const ours = decodeWeight(spec(w), weightBytes(w), 'test').data as ArrayLike<number>;
  expect(storedByteLength(spec(w))).toBe(weightBytes(w).length);
  const theirs = await tfjsDecode(w);
  expect(ours.length).toBe(theirs.length);
  // Bit for bit (Object.is: NaN equals NaN, −0 differs from 0).
  for (let i = 0; i < ours.length; i++) expect(Object.is(ours[i], theirs[i]), `value ${i}: ${ours[i]} vs ${theirs[i]}`).toBe(true);
  return ours;
}

describe('dequantization, as tfjs-core decodes', () => {
  it('float16 → float32: zeros, subnormals, normals, the largest half, infinities, NaN', async () => {
    const bits = [0x0000, 0x8000, 0x3c00, 0xc000, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x3555, 0xb266];
    const values = await expectSameAsTfjs({ name: 'h', shape: [bits.length], dtype: 'float32', values: bits, quantization: { dtype: 'float16' } });
    expect(Array.from(values).slice(0, 11)).toEqual([0, -0, 1, -2, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, 65504, Infinity, -Infinity, NaN]);
    expect(float16ToNumber(0x3555)).toBeCloseTo(1 / 3, 3);
    const random = seededValues(500, 3, 0, 65536).map(Math.floor);
    await expectSameAsTfjs({ name: 'r', shape: [500], dtype: 'float32', values: random, quantization: { dtype: 'float16' } });
  });

  it('uint8 and uint16 → value·scale + min (rounded to float32)', async () => {
    const scale = 0.012345;
    const min = -1.5;
    const u8 = await expectSameAsTfjs({ name: 'q8', shape: [2, 128], dtype: 'float32', values: Array.from({ length: 256 }, (_, i) => i), quantization: { dtype: 'uint8', scale, min } });
    expect(u8[0]).toBe(Math.fround(min));
    expect(u8[255]).toBe(Math.fround(255 * scale + min));
    const u16 = Array.from({ length: 300 }, (_, i) => (i * 219) % 65536);
    const got = await expectSameAsTfjs({ name: 'q16', shape: [300], dtype: 'float32', values: u16, quantization: { dtype: 'uint16', scale: 3e-5, min: -0.9 } });
    expect(got[7]).toBe(Math.fround(u16[7] * 3e-5 - 0.9));
  });

  it('quantized int32 weights are rounded', async () => {
    const got = await expectSameAsTfjs({ name: 'qi', shape: [4], dtype: 'int32', values: [0, 1, 2, 255], quantization: { dtype: 'uint8', scale: 0.5, min: -1 } });
    expect(Array.from(got)).toEqual([-1, 0, 0, 127]); // round(-0.5) = -0, stored as 0
  });

  it('plain float32 and int32', async () => {
    await expectSameAsTfjs(floatWeight('f', [3, 4], 9));
    await expectSameAsTfjs({ name: 'i', shape: [5], dtype: 'int32', values: [-2147483648, -1, 0, 1, 2147483647] });
  });
});

describe('a model with quantized weights in several groups and shards', () => {
  it('imports to the same outputs as tfjs-converter runs', async () => {
    // Conv (uint8 filter) + BiasAdd (float16 bias) + Relu6, MatMul (uint16 weights) after a Mean.
    const filter: WeightJson = { name: 'filter', shape: [3, 3, 2, 4], dtype: 'float32', values: seededValues(72, 5, 0, 256).map(Math.floor), quantization: { dtype: 'uint8', scale: 0.01, min: -1.2 } };
    const bias: WeightJson = { name: 'bias', shape: [4], dtype: 'float32', values: [0x3c00, 0xb800, 0x0000, 0x3555], quantization: { dtype: 'float16' } };
    const axes: WeightJson = { name: 'axes', shape: [2], dtype: 'int32', values: [1, 2] };
    const dense: WeightJson = { name: 'dense', shape: [4, 3], dtype: 'float32', values: seededValues(12, 6, 0, 65536).map(Math.floor), quantization: { dtype: 'uint16', scale: 5e-5, min: -1.6 } };
    const dir = join(tmp, 'quantized');
    writeGraphModel(dir, {
      nodes: [
        placeholder('x', [-1, 7, 7, 2]),
        constNode('filter', 'float32', [3, 3, 2, 4]),
        constNode('bias', 'float32', [4]),
        constNode('axes', 'int32', [2]),
        constNode('dense', 'float32', [4, 3]),
        tfNode('conv', 'Conv2D', ['x', 'filter'], convAttrs('SAME', 2)),
        tfNode('bias_add', 'BiasAdd', ['conv', 'bias'], { data_format: attr.s('NHWC'), T: attr.type('DT_FLOAT') }),
        tfNode('relu6', 'Relu6', ['bias_add']),
        tfNode('mean', 'Mean', ['relu6', 'axes'], { keep_dims: attr.b(false) }),
        tfNode('logits', 'MatMul', ['mean', 'dense'], { transpose_a: attr.b(false), transpose_b: attr.b(false) }),
      ],
      // The filter straddles the two shards of group 1.
      groups: [{ weights: [filter, bias], shards: 2 }, { weights: [axes] }, { weights: [dense], shards: 3 }],
      inputs: { x: 'x:0' },
      outputs: { y: 'logits:0' },
    });
    const g = importTfjs(dir);
    const x = seededValues(7 * 7 * 2, 11, -1, 1);
    const ours = runFloat(g, { [g.inputs[0]]: floatTensor([1, 7, 7, 2], Float32Array.from(x)) }).get(g.outputs[0])!;
    const want = await runReference(await loadReferenceModel(dir), Float32Array.from(x), [1, 7, 7, 2]);
    expect(ours.shape).toEqual(want.shape);
    const d = Array.from(ours.data as Float32Array).map((v, i) => Math.abs(v - want.data[i]));
    expect(Math.max(...d)).toBeLessThan(1e-5);
  });
});
