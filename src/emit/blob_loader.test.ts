/**
 * The blob loader trusts nothing that passed the CRC: every value a kernel relies on is checked
 * against the bounds the emitter proved (src/emit/blob_bounds.ts, onnx2mcu_blob_check_layer).
 * - the TypeScript twin on hand-made violations (the shift 145 and -40, a bias of
 *   INT32_MAX), and the emitter refusing its own out-of-bound values;
 * - the C loader and the twin give the same verdict on randomly mutated blobs (fast-check), and
 *   every blob the loader accepts runs under ASan + UBSan;
 * - libFuzzer (CRC recomputed by the harness) for a fixed number of runs, and a negative control:
 *   the same harness with the check switched off finds undefined behaviour at once.
 * ONNX2MCU_FUZZ_RUNS / ONNX2MCU_PROPERTY_RUNS lengthen the runs; `make fuzz` runs a timed campaign.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBlob } from '../artifacts/blob.js';
import { FAST_SHIFT_MAX, type CLayer } from '../cgen/c_layer.js';
import { UserError } from '../util/errors.js';
import { buildBlobFuzzer, compileBlobFuzzer, haveLibFuzzer, loaderVerdicts, runBlobFuzzer, type BlobFuzzer } from '../../fixtures/blob_fuzz.js';
import { blobBounds, checkBlobValues } from './blob_bounds.js';
import { dataLayers } from './model_c.js';
import { emitModel, handMadeModel } from './testing.js';
import { blobTensors } from './weights.js';

const FUZZ_RUNS = Number(process.env.ONNX2MCU_FUZZ_RUNS ?? 10_000);
const PROPERTY_RUNS = Number(process.env.ONNX2MCU_PROPERTY_RUNS ?? 200);
const INT32_MAX = 2 ** 31 - 1;

const emitted = emitModel(handMadeModel(14), { prefix: 'fz' });
const layers = dataLayers(emitted.lowered);

describe('the bounds and their TypeScript check', () => {
  it("every layer's own values are within its bounds; the fast-path layers get the tighter ones", () => {
    for (const c of layers) expect(checkBlobValues(blobBounds(c), c.data!), c.layer.name).toBeUndefined();
    const fast = layers.filter((c) => blobBounds(c).shiftMax === FAST_SHIFT_MAX).map((c) => c.kernel);
    expect(fast).toEqual(expect.arrayContaining(['conv_1x1', 'conv_im2col', 'dw_conv_3x3'])); // the fast paths rely on |acc| < 2^30 and -31 ≤ shift ≤ 0
    expect(layers.filter((c) => blobBounds(c).shiftMax !== FAST_SHIFT_MAX).map((c) => c.kernel)).toContain('conv'); // one channel shifts left
    expect(layers.map((c) => blobBounds(c).channelStride)).toContain(1); // depthwise 1HWC: channel fastest
  });

  it("refuses the issue's values: shift 145 and -40, a bias of INT32_MAX, a non-Q31 multiplier", () => {
    const c = layers[0];
    const b = blobBounds(c);
    const edit = (field: 'bias' | 'multiplier' | 'shift', v: number) => {
      const data = { ...c.data!, [field]: Int32Array.from(c.data![field]) };
      data[field][2] = v;
      return checkBlobValues(b, data);
    };
    expect(edit('shift', 145)).toBe(`channel 2: shift 145 outside [${b.shiftMin}, ${b.shiftMax}]`);
    expect(edit('shift', -40)).toBe(`channel 2: shift -40 outside [${b.shiftMin}, ${b.shiftMax}]`);
    expect(edit('bias', INT32_MAX)).toMatch(/^channel 2: bias 2147483647 with Σ\|w\| \d+ exceeds the accumulator bound/);
    expect(edit('multiplier', -(2 ** 30))).toMatch(/^channel 2: multiplier -1073741824 is neither 0 nor in \[2\^30, 2\^31\)/);
    expect(edit('multiplier', 12345)).toMatch(/multiplier 12345 is neither/);
    expect(edit('multiplier', 0)).toBeUndefined();
  });

  it('the emitter refuses a model whose own constants its loader would refuse (one line naming the layer)', () => {
    const m = handMadeModel(14);
    const l = m.layers[2] as (typeof m.layers)[number] & { multiplier: Int32Array };
    l.multiplier[1] = 5;
    expect(() => emitModel(m, { prefix: 'fz' })).toThrow(UserError);
    expect(() => emitModel(m, { prefix: 'fz' })).toThrow(`layer '${l.name}': channel 1: multiplier 5 is neither 0 nor in [2^30, 2^31); its kernel cannot take these values`);
  });
});

describe.skipIf(!haveLibFuzzer())('the C loader (clang, libFuzzer, ASan + UBSan)', () => {
  let fuzzer: BlobFuzzer | undefined;
  const built = () => (fuzzer ??= buildBlobFuzzer(14));
  afterAll(() => fuzzer && rmSync(fuzzer.dir, { recursive: true, force: true }));

  it('gives the TypeScript verdict on randomly mutated blobs, and runs every blob it accepts', () => {
    const f = built();
    const tensors = blobTensors(f.emitted.lowered);
    expect(writeBlob(tensors).equals(f.blob)).toBe(true);
    const int32Edge = fc.oneof(
      fc.constantFrom(-(2 ** 31), INT32_MAX, 0, 1, -1, 2 ** 30, 2 ** 30 - 1, 31, -31, 32, -32, 30, 145, -40, 127, -128),
      fc.integer({ min: -(2 ** 31), max: INT32_MAX }),
    );
    // A mutation: some elements of one layer's bias / multiplier / shift / weights set to edge values.
    const mutation = fc.record({
      layer: fc.nat(layers.length - 1),
      field: fc.constantFrom('weights', 'bias', 'multiplier', 'shift'),
      edits: fc.array(fc.tuple(fc.nat(), int32Edge), { minLength: 1, maxLength: 4 }),
    });
    const cases = fc.sample(mutation, { seed: 14, numRuns: PROPERTY_RUNS });
    const files: string[] = [];
    const expected: [number, number][] = [];
    cases.forEach((mu, k) => {
      const copies = tensors.map((t) => ({ name: t.name, data: t.data.slice() }));
      const at = mu.layer * 4 + ['weights', 'bias', 'multiplier', 'shift'].indexOf(mu.field);
      const target = copies[at].data;
      for (const [i, v] of mu.edits) target[i % target.length] = mu.field === 'weights' ? ((v % 256) + 256) % 256 - 128 : v;
      const problem = layers.some((c: CLayer, li) => {
        const [weights, bias, multiplier, shift] = copies.slice(li * 4, li * 4 + 4).map((t) => t.data);
        return checkBlobValues(blobBounds(c), { weights: weights as Int8Array, bias: bias as Int32Array, multiplier: multiplier as Int32Array, shift: shift as Int32Array }) !== undefined;
      });
      expected.push(problem ? [-3, -10] : [0, 0]); // FZ_ERR_BLOB with FZ_BLOB_ERR_RANGE, or FZ_OK
      const file = join(f.dir, `mutated_${k}.bin`);
      writeFileSync(file, writeBlob(copies));
      files.push(file);
    });
    const verdicts = loaderVerdicts(f, files);
    expect(verdicts).toEqual(expected);
    // Both verdicts occur: the mutations reach the checks and also leave loadable blobs.
    expect(new Set(verdicts.map((v) => v[0]))).toEqual(new Set([0, -3]));
  });

  it(`survives ${FUZZ_RUNS} libFuzzer runs (CRC recomputed, the model run on every accepted blob): no crash, no sanitizer report`, () => {
    const r = runBlobFuzzer(built(), { runs: FUZZ_RUNS, seed: 1 });
    expect(r.ok, r.log.split('\n').filter((l) => /ERROR|runtime error|SUMMARY/.test(l)).join('\n')).toBe(true);
    expect(r.runs).toBe(FUZZ_RUNS);
    console.log(`blob loader: ${r.runs} libFuzzer runs in ${r.seconds.toFixed(1)} s, no crash`);
  });

  it('negative control: with the range check switched off, the same harness finds undefined behaviour in the kernels', () => {
    const f = built();
    const source = join(f.dir, 'model', 'fz.c');
    const text = readFileSync(source, 'utf8');
    const call = 'rc = fz_blob_check_layer(&blob_layers[i].bounds, l);';
    expect(text).toContain(call);
    writeFileSync(source, text.replace(call, 'rc = FZ_BLOB_OK;'));
    try {
      const exe = join(f.dir, 'unchecked');
      compileBlobFuzzer(f, exe);
      const r = runBlobFuzzer({ ...f, exe }, { runs: FUZZ_RUNS, seed: 1 });
      expect(r.ok).toBe(false);
      expect(r.log).toMatch(/runtime error: (shift exponent|signed integer overflow)/);
    } finally {
      writeFileSync(source, text);
    }
  });
});
