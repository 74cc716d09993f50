/**
 * The generated runner against the TypeScript integer reference (runInt8, helper "quant"):
 * compiled with gcc and clang (-Werror -pedantic, then ASan + UBSan), byte-for-byte equal outputs
 * on random inputs through the flash weights and through the weights.bin loader.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrate } from '../quant/calibrate.js';
import { quantizeGraph } from '../quant/quantize.js';
import { pixelsToFloat, randomPixels, tinyMobileNet } from '../quant/testing.js';
import type { QuantizedModel } from '../int8/types.js';
import { crc32, readBlob } from '../artifacts/blob.js';
import { availableCompilers, compileC, quickMode, STRICT_FLAGS } from '../verify/compile.js';
import { emitModel as emitArtifacts, handMadeModel, writeFiles } from './testing.js';
import { hasWeights, weightedLayer } from '../int8/types.js';
import { PROJECT_ROOT } from '../util/shared.js';
import { compileObjectSync } from '../util/object_cache.js';
import { buildDriver, reconstructModel, verifyArtifacts } from '../verify/verify.js';
import { streamableLayers } from '../memory/stream.js';

const compilers = availableCompilers();
const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-emit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tinyQuantized(): QuantizedModel {
  const SIZE = 16;
  const g = tinyMobileNet(7, { size: SIZE });
  const inputs = Array.from({ length: 8 }, (_, i) => pixelsToFloat(randomPixels(100 + i, SIZE), SIZE, 127.5, 127.5));
  const stats = calibrate(g, inputs, { method: 'minmax', progress: 'none' });
  return quantizeGraph(g, stats, { inputScaling: 'x/127.5-1' });
}

describe('emitArtifacts', () => {
  it('is deterministic and the manifest hashes every other artifact', () => {
    const m = handMadeModel(3);
    const a = emitArtifacts(m, { labels: ['a', 'b', 'c', 'd', 'e'] });
    const b = emitArtifacts(handMadeModel(3), { labels: ['a', 'b', 'c', 'd', 'e'] });
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [k, v] of a.files) expect(Buffer.compare(v, b.files.get(k)!), k).toBe(0);
    const manifest = JSON.parse(a.files.get('manifest.json')!.toString());
    expect(Object.keys(manifest.files).sort()).toEqual([...a.files.keys()].filter((k) => k !== 'manifest.json').sort());
    expect(manifest.files['weights.bin'].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(manifest)).toEqual(Object.keys(manifest).sort());
    // every kernel variant is exercised by the hand-made model
    expect(a.lowered.layers.map((c) => c.kernel)).toEqual(['conv_im2col', 'dw_conv_3x3', 'conv_1x1', 'dw_conv_3x3', 'dw_conv', 'conv', 'avg_pool', 'fc']);
    expect([...a.runner.inPlaceSteps]).toEqual(['layer_1_depthwise_conv2d']);
    const modelC = a.files.get('model.c')!.toString();
    expect(modelC).toContain('source node(s): Node1, Node1_bn, Node1_relu');
    expect(modelC).toMatch(/static const model_conv_params layer_0_conv2d_params = \{/);
    expect(a.files.get('model.h')!.toString()).toContain(`#define MODEL_ARENA_SIZE ${a.runner.plan.peakBytes}`);
  });

  it('weights.bin round-trips, CRC as zlib', () => {
    const e = emitArtifacts(handMadeModel(4));
    const blob = readBlob(e.files.get('weights.bin')!);
    const c0 = e.lowered.layers[0];
    expect(Array.from(blob.get(`${c0.ident}.weights`)!)).toEqual(Array.from(c0.data!.weights));
    expect(Array.from(blob.get(`${c0.ident}.bias`)!)).toEqual(Array.from(c0.data!.bias));
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926); // the standard check value
  });

  it('reconstructModel inverts the layouts and the bias folding exactly', () => {
    const m = handMadeModel(5);
    const dir = join(work, 'recon');
    writeFiles(dir, emitArtifacts(m).files);
    const r = reconstructModel(dir);
    m.layers.forEach((l, i) => {
      const k = r.layers[i];
      expect(k.op).toBe(l.op);
      expect(k).toEqual(l);
      if (hasWeights(l)) expect(Array.from(weightedLayer(k).bias)).toEqual(Array.from(l.bias));
    });
  });
});

describe.skipIf(compilers.length === 0)('generated C vs runInt8', () => {
  it('hand-made model (every kernel variant): gcc + clang, sanitizers, flash and blob paths, byte for byte', async () => {
    const m = handMadeModel(11);
    const dir = join(work, 'hand');
    writeFiles(dir, emitArtifacts(m).files);
    const res = await verifyArtifacts(dir, { model: m, random: 40, sanitizedInputs: 6 });
    expect(res.builds).toHaveLength((quickMode() ? 1 : 2) * compilers.length);
    expect(res).toMatchObject({ random: 40, images: 0, mismatches: 0 });
    // and against the model rebuilt from the artifacts alone
    expect((await verifyArtifacts(dir, { random: 10, sanitizedInputs: 2, compilers: [compilers[0]] })).mismatches).toBe(0);
  });

  it('NCHW input layout and no in-place: same outputs', async () => {
    const m = handMadeModel(12);
    const dir = join(work, 'nchw');
    const e = emitArtifacts(m, { inputLayout: 'nchw', inPlace: false });
    expect(e.runner.inPlaceSteps.size).toBe(0);
    writeFiles(dir, e.files);
    const res = await verifyArtifacts(dir, { model: m, random: 20, sanitizedInputs: 3, compilers: [compilers[0]] });
    expect(res.mismatches).toBe(0);
  });

  it('the first layers streamed row by row (1, 3 and all 6 streamable, bands of 1-3 rows, NCHW too, odd sizes): gcc + clang, sanitizers, byte for byte', async () => {
    const m = handMadeModel(17);
    const max = streamableLayers(emitArtifacts(m).lowered);
    expect(max).toBe(6); // every conv and depthwise layer before the pool: in place, strided, 5×5 multiplier 2, dilated
    for (const [n, band, layout] of [[1, 1, 'nhwc'], [3, 2, 'nchw'], [max, 1, 'nhwc'], [max, 3, 'nhwc']] as const) {
      const dir = join(work, `stream${n}_${band}`);
      const e = emitArtifacts(m, { streamLayers: n, streamBand: band, inputLayout: layout });
      expect(e.runner.stream!.band).toBe(band);
      expect(e.runner.stream!.layers).toHaveLength(n);
      expect([...e.files.keys()].filter((f) => f.includes('transpose'))).toEqual([]); // the row reader transposes NCHW itself
      writeFiles(dir, e.files);
      const h = readFileSync(join(dir, 'model.h'), 'utf8');
      expect(h).toContain(`#define MODEL_STREAMED_LAYERS ${n}`);
      expect(h).not.toMatch(/model_input\(void\)|MODEL_INPUT_OFFSET/); // the input has no place in the arena
      const res = await verifyArtifacts(dir, { model: m, random: 30, sanitizedInputs: 4, ...(n === max && band === 3 ? {} : { compilers: [compilers[0]] }) });
      expect(res).toMatchObject({ random: 30, mismatches: 0 });
    }
    // layer names that are the runner's own words: whole and streamed, they compile and agree
    const named = { ...m, layers: m.layers.map((l, i) => (i < 4 ? { ...l, name: ['stream_rows', 'state', 'window', 'keep_rows'][i] } : l)) };
    for (const streamLayers of [0, 4]) {
      const dir = join(work, `stream_named${streamLayers}`);
      writeFiles(dir, emitArtifacts(named, { streamLayers }).files);
      expect((await verifyArtifacts(dir, { model: named, random: 10, sanitizedInputs: 1, compilers: [compilers[0]] })).mismatches).toBe(0);
    }
    // other sizes: windows clipped at the image's end, last bands shorter than the rest
    for (const size of [11, 24]) {
      const ms = handMadeModel(19, size);
      const dir = join(work, `stream_size${size}`);
      writeFiles(dir, emitArtifacts(ms, { streamLayers: 6, streamBand: 2 }).files);
      expect((await verifyArtifacts(dir, { model: ms, random: 20, sanitizedInputs: 2, compilers: [compilers[0]] })).mismatches).toBe(0);
    }
  });

  it('quantizer output (tiny MobileNet from helper "quant"): byte for byte', async () => {
    const m = tinyQuantized();
    const dir = join(work, 'tiny');
    writeFiles(dir, emitArtifacts(m).files);
    const res = await verifyArtifacts(dir, { model: m, random: 30, sanitizedInputs: 4 });
    expect(res.mismatches).toBe(0);
  });

  it('detects a wrong reference (the comparison is real)', async () => {
    const m = handMadeModel(13);
    const dir = join(work, 'wrong');
    writeFiles(dir, emitArtifacts(m).files);
    const layers = m.layers.map((l, i) => (i === 2 ? { ...l, multiplier: weightedLayer(l).multiplier.map((v) => v - (v >> 3)) } : l));
    const res = await verifyArtifacts(dir, { model: { ...m, layers }, random: 10, sanitizedInputs: 1, compilers: [compilers[0]] });
    expect(res.mismatches).toBeGreaterThan(10);
  });

  it.skipIf(quickMode())('the blob loader rejects bad magic, version, size and checksum with error codes, under ASan', () => {
    const m = handMadeModel(14);
    const dir = join(work, 'blob');
    writeFiles(dir, emitArtifacts(m).files);
    const exe = buildDriver(dir, work, compilers[0], true, 'blobcheck');
    const good = readFileSync(join(dir, 'weights.bin'));
    const check = (bytes: Buffer) => {
      const p = join(work, 'test.bin');
      writeFileSync(p, bytes);
      const r = spawnSync(exe, [p, 'int8', 'check']);
      expect(r.stderr.toString()).toBe('');
      return r.stdout.toString().trim();
    };
    const mutate = (f: (b: Buffer) => void) => {
      const b = Buffer.from(good);
      f(b);
      return b;
    };
    expect(check(good)).toBe('0 0');
    expect(check(mutate((b) => b.write('XXXX', 0)))).toBe('-3 -3');
    expect(check(mutate((b) => b.writeUInt32LE(2, 4)))).toBe('-3 -4');
    expect(check(good.subarray(0, good.length - 16))).toBe('-3 -2');
    expect(check(good.subarray(0, 10))).toBe('-3 -2');
    expect(check(mutate((b) => { b[b.length - 1] ^= 1; }))).toBe('-3 -6');
    expect(check(Buffer.concat([good, Buffer.alloc(16)]))).toBe('-3 -5');
    // a table entry pointing outside the blob, with the CRC recomputed so only the table check can catch it
    expect(check(mutate((b) => { b.writeUInt32LE(0x7ffffff0, 32 + 48 + 4); b.writeUInt32LE(crc32(b.subarray(32)), 24); }))).toBe('-3 -7');
    // a renamed tensor: valid blob, but the model's tensor is missing
    expect(check(mutate((b) => { b[32] ^= 0x20; b.writeUInt32LE(crc32(b.subarray(32)), 24); }))).toBe('-3 -9');
    // fuzz: random header/table bytes changed with the CRC recomputed (so the structural checks must
    // catch them): every result is OK or an error code, never a crash or a sanitizer report
    let seed = 99;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const tableEnd = 32 + 64 * good.readUInt32LE(16);
    const codes = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const b = Buffer.from(good);
      const at = 4 + (next() % (tableEnd - 4));
      b[at] = next() & 0xff;
      if (at !== 24) b.writeUInt32LE(crc32(b.subarray(32)), 24);
      const out = check(b);
      expect(out, `byte ${at}`).toMatch(/^(0 0|-3 -\d)$/);
      codes.add(out);
    }
    expect(codes.size).toBeGreaterThan(2);
  });

  it('the example main.c builds and prints a top class', () => {
    const dir = join(work, 'main');
    writeFiles(dir, emitArtifacts(handMadeModel(15), { labels: ['a', 'b', 'c', 'd', 'e'] }).files);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const sources = Object.keys(manifest.files).filter((f: string) => f.endsWith('.c')).map((f: string) => join(dir, f));
    const exe = compileC({ compiler: compilers[compilers.length - 1], sources, includeDirs: [dir], out: join(work, 'demo'), sanitize: !quickMode() });
    const r = spawnSync(exe, []);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(/^top class: [0-4] \([a-e]\), raw output -?\d+\n$/);
  });

  it('the streamed runner\'s main.c reads the image a row at a time and prints the same top class and raw output', () => {
    const m = handMadeModel(18);
    const run = (name: string, streamLayers: number) => {
      const dir = join(work, name);
      writeFiles(dir, emitArtifacts(m, { labels: ['a', 'b', 'c', 'd', 'e'], streamLayers }).files);
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      const sources = Object.keys(manifest.files).filter((f: string) => f.endsWith('.c')).map((f: string) => join(dir, f));
      const exe = compileC({ compiler: compilers[0], sources, includeDirs: [dir], out: join(work, `${name}_demo`), sanitize: !quickMode() });
      const r = spawnSync(exe, []);
      expect(r.status, r.stderr.toString()).toBe(0);
      return { out: r.stdout.toString(), main: readFileSync(join(dir, 'main.c'), 'utf8') };
    };
    const whole = run('main_whole', 0);
    const streamed = run('main_streamed', 4);
    expect(streamed.main).toContain('model_run_rows(read_pixel_row, pixels, output)');
    expect(whole.main).not.toContain('model_run_rows');
    expect(streamed.out).toMatch(/^top class: [0-4] \([a-e]\), raw output -?\d+\n$/);
    expect(streamed.out).toBe(whole.out);
  });

  it('the generated C and the kernels are also clean under -Wconversion -Wshadow -Wcast-qual (firmware flags)', () => {
    const dir = join(work, 'wconv');
    writeFiles(dir, emitArtifacts(handMadeModel(16), { inputLayout: 'nchw' }).files);
    // and a streamed runner (its row functions and readers)
    writeFiles(join(dir, 'streamed'), emitArtifacts(handMadeModel(16), { inputLayout: 'nchw', streamLayers: 6 }).files);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const sources = [...Object.keys(manifest.files).filter((f: string) => f.endsWith('.c')).map((f: string) => join(dir, f)), join(dir, 'streamed', 'model.c'), join(dir, 'streamed', 'main.c')];
    for (const cc of compilers) {
      for (const src of sources) {
        compileObjectSync({ compiler: cc, flags: [...STRICT_FLAGS, '-Wconversion', '-Wshadow', '-Wcast-qual', '-Wstrict-prototypes', '-Wmissing-prototypes', '-Os', `-I${dir}`], source: src, object: join(work, 'x.o') });
      }
    }
  });
});

/** Independent figures from the QuantizedModel (NCHW contract), not from the emitter's lowering. */
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function layerMacs(l: QuantizedModel['layers'][number]): number {
  if (l.op === 'conv2d' || l.op === 'depthwise_conv2d') {
    const [O, perGroupIn, kh, kw] = l.weightShape;
    return l.outputShape[2] * l.outputShape[3] * O * perGroupIn * kh * kw;
  }
  if (l.op === 'fully_connected') return l.weightShape[0] * l.weightShape[1];
  return 0;
}
const layerParams = (l: QuantizedModel['layers'][number]) => (hasWeights(l) ? l.weights.length + l.bias.length : 0);

describe('manifest, report.md and model.c state what the issue asks for', () => {
  const m = handMadeModel(31);
  const e = emitArtifacts(m, { labels: ['a', 'b', 'c', 'd', 'e'] });
  const text = (f: string) => e.files.get(f)!.toString('utf8');
  const plan = e.runner.plan;
  /** Where a tensor lives, from the plan (arena offset) and the QuantizedModel (its byte size). */
  const place = (t: string): { offset: number; bytes: number } | 'output' => {
    if (t === m.output.name) return 'output';
    return { offset: plan.offsets.get(t)!, bytes: prod(m.tensors[t].shape) }; // the input too: it lives in the arena
  };

  it('manifest.json: generator version from package.json, flash bytes by section from the weights', () => {
    const manifest = JSON.parse(text('manifest.json'));
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(manifest.generator).toBe(`onnx2mcu ${pkg.version}`);
    expect(text('model.c')).toContain(`generated by onnx2mcu ${pkg.version}`);
    const data = m.layers.filter(hasWeights);
    const sections = manifest.flash.sections as Record<string, number>;
    expect(Object.keys(sections).sort()).toEqual(['bias_int32', 'layer_structs', 'requant_int32', 'weights_int8']);
    expect(sections.weights_int8).toBe(data.reduce((s, l) => s + l.weights.length, 0));
    expect(sections.bias_int32).toBe(4 * data.reduce((s, l) => s + l.bias.length, 0));
    expect(sections.requant_int32).toBe(4 * data.reduce((s, l) => s + l.multiplier.length + l.shift.length, 0));
    // and weights.c really declares that many bytes of const arrays
    const declared = { int8_t: 0, int32_t: 0 };
    for (const [, type, n] of text('model_weights.c').matchAll(/^static const (int8_t|int32_t) \w+\[(\d+)\]/gm)) declared[type as 'int8_t' | 'int32_t'] += Number(n) * (type === 'int8_t' ? 1 : 4);
    expect(declared.int8_t).toBe(sections.weights_int8);
    expect(declared.int32_t).toBe(sections.bias_int32 + sections.requant_int32);
    expect(manifest.flash.total).toBe(Object.values(sections).reduce((a, b) => a + b, 0));
    expect(manifest.flash.blob_bytes).toBe(e.files.get('weights.bin')!.length);
    expect(manifest.arena.bytes).toBe(plan.peakBytes);
  });

  it.skipIf(compilers.length === 0)('manifest.json layer_structs: sizeof of the params structs (host C, 32-bit pointers) + 4 pointers per layer with data', () => {
    const dir = join(work, 'structs');
    writeFiles(dir, e.files);
    const types = [...text('model.c').matchAll(/^static const (model_\w+_params) \w+_params = /gm)].map((x) => x[1]);
    expect(types).toHaveLength(m.layers.length);
    const uniq = [...new Set(types)].sort();
    const src = join(dir, 'sizes.c');
    writeFileSync(src, `#include <stdio.h>\n${['conv_s8', 'dw_conv_s8', 'fc_s8', 'avg_pool_s8'].map((h) => `#include "model_${h}.h"\n`).join('')}int main(void)\n{\n${uniq.map((t) => `    printf("%s %lu\\n", "${t}", (unsigned long)sizeof(${t}));`).join('\n')}\n    return 0;\n}\n`);
    const exe = compileC({ compiler: compilers[0], sources: [src], includeDirs: [dir], out: join(dir, 'sizes') });
    const sizes = new Map(execFileSync(exe).toString().trim().split('\n').map((l) => [l.split(' ')[0], Number(l.split(' ')[1])] as const));
    const expected = 16 * m.layers.filter(hasWeights).length + types.reduce((s, t) => s + sizes.get(t)!, 0);
    expect(JSON.parse(text('manifest.json')).flash.sections.layer_structs).toBe(expected);
  });

  it('report.md: one row per layer with op, shapes, MACs, params, arena offsets and scales', () => {
    const report = text('report.md');
    const rows = report.split('\n').filter((r) => /^\| \d+ \|/.test(r)).map((r) => r.split('|').slice(1, -1).map((c) => c.trim()));
    expect(rows).toHaveLength(m.layers.length);
    const kernelsFor: Record<string, string[]> = {
      conv2d: ['conv', 'conv_1x1', 'conv_im2col'], depthwise_conv2d: ['dw_conv', 'dw_conv_3x3'], fully_connected: ['fc'],
      average_pool: ['avg_pool'], global_average_pool: ['global_avg_pool'],
    };
    const int = (s: string) => Number(s.replace(/,/g, ''));
    const cell = (t: string) => {
      const p = place(t);
      return typeof p === 'string' ? p : `${p.offset}–${p.offset + p.bytes}`;
    };
    const scaleZp = (s: string) => {
      const [scale, zp] = s.split(' / ');
      return { scale: Number(scale), zp: Number(zp) };
    };
    m.layers.forEach((l, i) => {
      const [idx, name, kernel, nodes, inShape, outShape, macs, params, arenaIn, arenaOut, inQ, outQ, clamp] = rows[i];
      expect(Number(idx)).toBe(i);
      expect(name).toBe(l.name);
      expect(kernelsFor[l.op], `${l.name}: ${kernel}`).toContain(kernel.replace(/ \((in place|over its input, shift -?\d+)\)$/, ''));
      expect(nodes).toBe(l.origin.join(', '));
      expect(inShape).toBe(l.inputShapes[0].join('×'));
      expect(outShape).toBe(l.outputShape.join('×'));
      expect(int(macs), `${l.name} MACs`).toBe(layerMacs(l));
      expect(int(params), `${l.name} params`).toBe(layerParams(l));
      expect(arenaIn).toBe(cell(l.inputs[0]));
      expect(arenaOut).toBe(cell(l.output));
      const qi = scaleZp(inQ), qo = scaleZp(outQ);
      expect(Math.abs(qi.scale / l.inputQ[0].scale - 1)).toBeLessThan(5e-4); // 4 significant digits
      expect(Math.abs(qo.scale / l.outputQ.scale - 1)).toBeLessThan(5e-4);
      expect(qi.zp).toBe(l.inputQ[0].zeroPoint);
      expect(qo.zp).toBe(l.outputQ.zeroPoint);
      expect(clamp).toBe(`[${l.actMin}, ${l.actMax}]`);
    });
    expect(report).toContain(`- MACs: ${m.layers.reduce((s, l) => s + layerMacs(l), 0).toLocaleString('en-US')}`);
    expect(report).toContain(`- parameters: ${m.layers.reduce((s, l) => s + layerParams(l), 0).toLocaleString('en-US')}`);
  });

  it('model.c: each layer comment states shapes, fused activation and arena offsets', () => {
    const modelC = text('model.c');
    const blocks = modelC.split('/*\n * Layer ').slice(1).map((b) => b.slice(0, b.indexOf(' */')));
    expect(blocks).toHaveLength(m.layers.length);
    const where = (t: string) => {
      const p = place(t);
      return p === 'output' ? 'caller output' : `arena [${p.offset}, ${p.offset + p.bytes})`;
    };
    const nhwc = (s: readonly number[]) => (s.length === 4 ? `${s[2]}x${s[3]}x${s[1]}` : `1x1x${s[1]}`);
    let inPlaceSeen = 0;
    m.layers.forEach((l, i) => {
      const b = blocks[i];
      expect(b.startsWith(`${i}: ${l.name} - `), b).toBe(true);
      expect(b).toContain(`source node(s): ${l.origin.join(', ')}`);
      // a fully connected layer reads its input flattened (1x1xK in the C buffer's order)
      const inView = l.op === 'fully_connected' ? `1x1x${prod(l.inputShapes[0])}` : nhwc(l.inputShapes[0]);
      expect(b).toContain(`input  ${l.inputs[0]} [${l.inputShapes[0].join(', ')}] NCHW = ${inView} NHWC, scale `);
      expect(b).toContain(`output ${l.output} [${l.outputShape.join(', ')}] NCHW = ${nhwc(l.outputShape)} NHWC, scale `);
      expect(b).toMatch(new RegExp(`input  .* zp ${l.inputQ[0].zeroPoint}, ${where(l.inputs[0]).replace(/[[\]()]/g, '\\$&')}\\n`));
      expect(b).toMatch(new RegExp(`output .* zp ${l.outputQ.zeroPoint}, ${where(l.output).replace(/[[\]()]/g, '\\$&')}\\n`));
      // fused activation: the clamp and its real range scale·(q − zp)
      const act = b.match(/fused activation: clamp \[(-?\d+), (-?\d+)\] = real \[(\S+), (\S+)\]/);
      expect(act, b).not.toBeNull();
      expect([Number(act![1]), Number(act![2])]).toEqual([l.actMin, l.actMax]);
      expect(Number(act![3])).toBeCloseTo(l.outputQ.scale * (l.actMin - l.outputQ.zeroPoint), 6);
      expect(Number(act![4])).toBeCloseTo(l.outputQ.scale * (l.actMax - l.outputQ.zeroPoint), 6);
      const overlap = e.manifest.arena.overlaps.find((o) => o.layer === e.lowered.layers[i].ident);
      if (b.includes(', in place\n')) {
        inPlaceSeen++;
        expect(where(l.inputs[0])).toBe(where(l.output)); // in place: same bytes
        expect(b).toContain('runs in place: output rows overwrite input rows');
      } else if (typeof place(l.inputs[0]) === 'object' && typeof place(l.output) === 'object') {
        const a = place(l.inputs[0]) as { offset: number; bytes: number }, o = place(l.output) as { offset: number; bytes: number };
        if (overlap) {
          // written over consumed input: the comment states the shift the plan chose
          expect(o.offset - a.offset).toBe(overlap.shift);
          expect(b).toContain(`output over consumed input: output offset - input offset = ${overlap.shift} bytes`);
        } else {
          // not in place: the input and output ranges must not overlap
          expect(a.offset + a.bytes <= o.offset || o.offset + o.bytes <= a.offset, l.name).toBe(true);
        }
      }
    });
    expect(inPlaceSeen).toBe(e.runner.inPlaceSteps.size);
    expect(inPlaceSeen).toBe(1);
    expect(e.manifest.arena.overlaps.length).toBeGreaterThan(0);
  });
});
