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
import type { QuantizedModel } from '../quant/types.js';
import { crc32, readBlob } from './blob.js';
import { availableCompilers, compileC, STRICT_FLAGS } from './compile.js';
import { emitArtifacts } from './emit.js';
import { handMadeModel, writeFiles } from './testing.js';
import { buildDriver, reconstructModel, verifyArtifacts } from './verify.js';

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
    expect(a.lowered.layers.map((c) => c.kernel)).toEqual(['conv', 'dw_conv_3x3', 'conv_1x1', 'dw_conv_3x3', 'dw_conv', 'conv', 'avg_pool', 'fc']);
    expect([...a.runner.inPlaceSteps]).toEqual(['layer_1_depthwise_conv2d']);
    const modelC = a.files.get('model.c')!.toString();
    expect(modelC).toContain('ONNX node(s): Node1, Node1_bn, Node1_relu');
    expect(modelC).toMatch(/static const onnx2mcu_conv_params layer_0_conv2d_params = \{/);
    expect(a.files.get('model.h')!.toString()).toContain(`#define MODEL_ARENA_SIZE ${a.runner.plan.peakBytes}`);
  });

  it('weights.bin round-trips, CRC as zlib', () => {
    const e = emitArtifacts(handMadeModel(4));
    const blob = readBlob(e.files.get('weights.bin')!);
    const c0 = e.lowered.layers[0];
    expect(Array.from(blob.get(`${c0.ident}.weights`)!)).toEqual(Array.from(c0.weights!));
    expect(Array.from(blob.get(`${c0.ident}.bias`)!)).toEqual(Array.from(c0.bias!));
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
      if (l.weights) {
        expect(Array.from(k.weights!)).toEqual(Array.from(l.weights));
        expect(Array.from(k.bias!)).toEqual(Array.from(l.bias!));
        expect(Array.from(k.multiplier!)).toEqual(Array.from(l.multiplier!));
      }
    });
  });
});

describe.skipIf(compilers.length === 0)('generated C vs runInt8', () => {
  it('hand-made model (every kernel variant): gcc + clang, sanitizers, flash and blob paths, byte for byte', async () => {
    const m = handMadeModel(11);
    const dir = join(work, 'hand');
    writeFiles(dir, emitArtifacts(m).files);
    const res = await verifyArtifacts(dir, { model: m, random: 40, sanitizedInputs: 6 });
    expect(res.builds).toHaveLength(2 * compilers.length);
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
    const layers = m.layers.map((l, i) => (i === 2 ? { ...l, multiplier: l.multiplier!.map((v) => v - (v >> 3)) } : l));
    const res = await verifyArtifacts(dir, { model: { ...m, layers }, random: 10, sanitizedInputs: 1, compilers: [compilers[0]] });
    expect(res.mismatches).toBeGreaterThan(10);
  });

  it('the blob loader rejects bad magic, version, size and checksum with error codes, under ASan', () => {
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
    const exe = compileC({ compiler: compilers[compilers.length - 1], sources, includeDirs: [dir], out: join(work, 'demo'), sanitize: true });
    const r = spawnSync(exe, []);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(/^top class: [0-4] \([a-e]\), raw output -?\d+\n$/);
  });

  it('the generated C and the kernels are also clean under -Wconversion -Wshadow -Wcast-qual (firmware flags)', () => {
    const dir = join(work, 'wconv');
    writeFiles(dir, emitArtifacts(handMadeModel(16), { inputLayout: 'nchw' }).files);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const sources = Object.keys(manifest.files).filter((f: string) => f.endsWith('.c')).map((f: string) => join(dir, f));
    for (const cc of compilers) {
      for (const src of sources) {
        execFileSync(cc, [...STRICT_FLAGS, '-Wconversion', '-Wshadow', '-Wcast-qual', '-Wstrict-prototypes', '-Wmissing-prototypes', '-Os', `-I${dir}`, '-c', src, '-o', join(work, 'x.o')]);
      }
    }
  });
});
