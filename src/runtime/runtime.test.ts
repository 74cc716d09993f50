/**
 * The C runtime against independent references: the arithmetic primitives against src/quant/arith.ts
 * (helper "quant"'s TypeScript, itself checked against a BigInt oracle), and every kernel against a
 * plain NCHW loop nest written here from the contract in src/quant/types.ts (bias NOT folded,
 * padding skipped), so the C's layout change (NHWC / OHWI / 1HWC) and bias folding are tested too.
 * The harness is compiled with gcc and clang under -Werror -pedantic and ASan + UBSan.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableCompilers, compileC, RUNTIME_DIR, runtimeSources, type Compiler } from '../verify/compile.js';
import {
  clamp,
  INT32_MAX,
  INT32_MIN,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundedMean,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../int8/arith.js';
import { mulberry32 as rng } from '../util/random.js';

const compilers = availableCompilers();
const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-rt-'));
const harness = new Map<Compiler, string>();

beforeAll(() => {
  for (const cc of compilers) {
    harness.set(
      cc,
      compileC({ compiler: cc, sources: [join(RUNTIME_DIR, 'test', 'harness.c'), ...runtimeSources()], out: join(work, `h_${cc}`), sanitize: true, optimize: '-O1' }),
    );
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cc: Compiler, script: string): string[] {
  const r = spawnSync(harness.get(cc)!, [], { input: script, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`harness (${cc}) exited ${r.status}: ${r.stderr.toString()}`);
  if (r.stderr.length) throw new Error(`harness (${cc}) stderr: ${r.stderr.toString()}`);
  return r.stdout.toString().trim().split('\n');
}

const randInt = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

describe.skipIf(compilers.length === 0)('runtime arithmetic (C vs src/quant/arith.ts)', () => {
  const edges = [INT32_MIN, INT32_MIN + 1, -1073741824, -65536, -3, -2, -1, 0, 1, 2, 3, 65535, 1073741824, INT32_MAX - 1, INT32_MAX];
  const r = rng(7);
  const srdhmCases: [number, number][] = [];
  for (const a of edges) for (const b of edges) srdhmCases.push([a, b]);
  for (let i = 0; i < 3000; i++) srdhmCases.push([randInt(r, INT32_MIN, INT32_MAX), randInt(r, INT32_MIN, INT32_MAX)]);
  const rdbpotCases: [number, number][] = [];
  for (const x of [...edges, -5, 5, -6, 6, -7, 7, 1 << 30, -(1 << 30) - 1]) for (let n = 0; n <= 31; n++) rdbpotCases.push([x, n]);
  for (let i = 0; i < 3000; i++) rdbpotCases.push([randInt(r, INT32_MIN, INT32_MAX), randInt(r, 0, 31)]);
  // Ties: x = (2k + 1) · 2^(n−1) exactly, both signs.
  for (let n = 1; n <= 20; n++) for (const k of [0, 1, 5, 100]) rdbpotCases.push([(2 * k + 1) * 2 ** (n - 1), n], [-(2 * k + 1) * 2 ** (n - 1), n]);
  const mbqmCases: [number, number, number][] = [];
  for (const acc of edges) for (const s of [-31, -20, -1, 0, 1, 5]) mbqmCases.push([acc, 1 << 30, s], [acc, INT32_MAX, s], [acc, 1518500250, s]);
  for (let i = 0; i < 3000; i++) mbqmCases.push([randInt(r, -(1 << 24), 1 << 24), randInt(r, 1 << 30, INT32_MAX), randInt(r, -31, 0)]);

  for (const cc of compilers) {
    it(`${cc}: SRDHM, RDBPOT and multiplyByQuantizedMultiplier agree bit for bit`, () => {
      const script = [
        ...srdhmCases.map(([a, b]) => `srdhm ${a} ${b}`),
        ...rdbpotCases.map(([x, n]) => `rdbpot ${x} ${n}`),
        ...mbqmCases.map(([a, m, s]) => `mbqm ${a} ${m} ${s}`),
      ].join('\n');
      const got = run(cc, script).map(Number);
      const want = [
        ...srdhmCases.map(([a, b]) => saturatingRoundingDoublingHighMul(a, b)),
        ...rdbpotCases.map(([x, n]) => roundingDivideByPOT(x, n)),
        ...mbqmCases.map(([a, m, s]) => multiplyByQuantizedMultiplier(a, m, s)),
      ];
      expect(got.length).toBe(want.length);
      const bad = want.map((w, i) => (w === got[i] ? -1 : i)).filter((i) => i >= 0);
      expect(bad.slice(0, 5).map((i) => ({ i, want: want[i], got: got[i] }))).toEqual([]);
    });
  }

  it('hand-computed edge values', () => {
    const cc = compilers[0];
    const got = run(cc, 'srdhm -2147483648 -2147483648\nsrdhm 1073741824 1073741824\nrdbpot 5 1\nrdbpot -5 1\nrdbpot 4 1\nrdbpot -2147483648 31\nrdbpot 2147483647 31\nmbqm 1000 1073741824 -1\nmbqm -1000 1073741824 -3\nmbqm 3 1073741824 1').map(Number);
    // SRDHM saturates; 2^30·2^30·2/2^32 = 2^29; 2.5 → 3, −2.5 → −3 (away from zero); −1 exactly;
    // 2^31−1 over 2^31 = 0.99… → 1; 1000·0.5/2 = 250; −1000·0.5/8 = −62.5 → −63; 3·2·0.5 = 3.
    expect(got).toEqual([2147483647, 536870912, 3, -3, 2, -1, 1, 250, -63, 3]);
  });
});

// ---------- kernels ----------

interface ConvCase {
  kind: 'conv' | 'dw';
  inC: number; inH: number; inW: number; outC: number;
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  pads: [number, number, number, number];
  zpIn: number; zpOut: number; actMin: number; actMax: number;
  weights: Int8Array; // conv OIHW, dw (C·mult, 1, kh, kw)
  bias: Int32Array; multiplier: Int32Array; shift: Int32Array;
  input: Int8Array; // NCHW
}

const outSize = (n: number, k: number, s: number, d: number, p0: number, p1: number) => Math.floor((n + p0 + p1 - d * (k - 1) - 1) / s) + 1;

function randomConv(seed: number, kind: 'conv' | 'dw', shape: Partial<ConvCase> & { zeroShift?: boolean }): ConvCase {
  const r = rng(seed);
  const { zeroShift: _zeroShift, ...geometry } = shape;
  const c = { kind, inC: 3, inH: 7, inW: 6, outC: 4, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pads: [1, 1, 1, 1] as [number, number, number, number], ...geometry };
  const perOut = kind === 'conv' ? c.inC * c.kh * c.kw : c.kh * c.kw;
  const weights = Int8Array.from({ length: c.outC * perOut }, () => randInt(r, -127, 127));
  const zpIn = randInt(r, -128, 127);
  const bias = Int32Array.from({ length: c.outC }, () => randInt(r, -20000, 20000));
  const multiplier = new Int32Array(c.outC);
  const shift = new Int32Array(c.outC);
  for (let o = 0; o < c.outC; o++) {
    // zeroShift: every third channel scales by a real multiplier in [0.5, 1) (shift 0, no rounding
    // shift), as some channels of the ImageNet MobileNets do.
    const q = quantizeMultiplier(shape.zeroShift && o % 3 === 1 ? 0.5 + 0.4 * r() : (40 + 100 * r()) / (127 * 128 * Math.sqrt(perOut)));
    multiplier[o] = q.multiplier;
    shift[o] = q.shift;
  }
  const zpOut = randInt(r, -20, 20);
  const input = Int8Array.from({ length: c.inC * c.inH * c.inW }, () => randInt(r, -128, 127));
  return { ...c, zpIn, zpOut, actMin: randInt(r, -128, -100), actMax: randInt(r, 100, 127), weights, bias, multiplier, shift, input };
}

/** NCHW reference from the contract: acc = bias + Σ w·(x − zp_in) over in-bounds taps. */
function referenceConv(c: ConvCase): Int8Array {
  const oh = outSize(c.inH, c.kh, c.sh, c.dh, c.pads[0], c.pads[2]);
  const ow = outSize(c.inW, c.kw, c.sw, c.dw, c.pads[1], c.pads[3]);
  const mult = c.outC / c.inC;
  const out = new Int8Array(c.outC * oh * ow);
  for (let o = 0; o < c.outC; o++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let acc = c.bias[o];
        const icList = c.kind === 'conv' ? [...Array(c.inC).keys()] : [Math.floor(o / mult)];
        icList.forEach((ic, j) => {
          for (let ky = 0; ky < c.kh; ky++) {
            for (let kx = 0; kx < c.kw; kx++) {
              const iy = y * c.sh - c.pads[0] + ky * c.dh;
              const ix = x * c.sw - c.pads[1] + kx * c.dw;
              if (iy < 0 || iy >= c.inH || ix < 0 || ix >= c.inW) continue;
              const w = c.kind === 'conv' ? c.weights[((o * c.inC + ic) * c.kh + ky) * c.kw + kx] : c.weights[(o * c.kh + ky) * c.kw + kx];
              acc += w * (c.input[(ic * c.inH + iy) * c.inW + ix] - c.zpIn);
              void j;
            }
          }
        });
        const y8 = multiplyByQuantizedMultiplier(acc, c.multiplier[o], c.shift[o]) + c.zpOut;
        out[(o * oh + y) * ow + x] = clamp(y8, c.actMin, c.actMax);
      }
    }
  }
  return out;
}

function nchwToNhwc(a: Int8Array, c: number, h: number, w: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out.push(a[(ch * h + y) * w + x]);
  return out;
}

/** The harness script for a conv case: weights to OHWI / 1HWC, bias with −zp_in·Σw folded. */
function convScript(c: ConvCase, kernel: number): string {
  const oh = outSize(c.inH, c.kh, c.sh, c.dh, c.pads[0], c.pads[2]);
  const ow = outSize(c.inW, c.kw, c.sw, c.dw, c.pads[1], c.pads[3]);
  const w: number[] = [];
  if (c.kind === 'conv') {
    for (let o = 0; o < c.outC; o++) for (let ky = 0; ky < c.kh; ky++) for (let kx = 0; kx < c.kw; kx++) for (let i = 0; i < c.inC; i++) w.push(c.weights[((o * c.inC + i) * c.kh + ky) * c.kw + kx]);
  } else {
    for (let ky = 0; ky < c.kh; ky++) for (let kx = 0; kx < c.kw; kx++) for (let o = 0; o < c.outC; o++) w.push(c.weights[(o * c.kh + ky) * c.kw + kx]);
  }
  const perOut = c.weights.length / c.outC;
  const folded = Array.from(c.bias, (b, o) => {
    let s = 0;
    for (let k = 0; k < perOut; k++) s += c.weights[o * perOut + k];
    return b - c.zpIn * s;
  });
  return [
    'layer', kernel, c.inH, c.inW, c.inC, oh, ow, c.outC, c.kh, c.kw, c.sh, c.sw, c.dh, c.dw, c.pads[0], c.pads[1],
    c.zpIn, c.zpOut, c.actMin, c.actMax, c.kind === 'dw' ? c.outC / c.inC : 1,
    ...w, ...folded, ...c.multiplier, ...c.shift, ...nchwToNhwc(c.input, c.inC, c.inH, c.inW),
  ].join(' ');
}

/**
 * Every conv case of one test through one harness process (one `layer` line in, one line out each):
 * starting the sanitized harness costs more than running a case.
 */
function checkConvs(cc: Compiler, cases: readonly (readonly [ConvCase, number])[]): void {
  const lines = run(cc, cases.map(([c, kernel]) => convScript(c, kernel)).join('\n'));
  expect(lines).toHaveLength(cases.length);
  cases.forEach(([c, kernel], i) => {
    const oh = outSize(c.inH, c.kh, c.sh, c.dh, c.pads[0], c.pads[2]);
    const ow = outSize(c.inW, c.kw, c.sw, c.dw, c.pads[1], c.pads[3]);
    const want = nchwToNhwc(referenceConv(c), c.outC, oh, ow);
    expect(lines[i].split(' ').map(Number), `case ${i} (kernel ${kernel})`).toEqual(want);
    // The case must exercise the requantization, not just the clamp.
    expect(new Set(want).size, `case ${i}`).toBeGreaterThan(Math.min(8, want.length / 2));
  });
}

describe.skipIf(compilers.length === 0)('runtime kernels vs an NCHW reference', () => {
  for (const cc of compilers) {
    it(`${cc}: conv_s8 on padding, strides, dilations, asymmetric pads`, () => {
      const shapes: Partial<ConvCase>[] = [
        {},
        { sh: 2, sw: 2, pads: [0, 0, 1, 1], inH: 8, inW: 8 }, // TF 'SAME' stride 2
        { dh: 2, dw: 2, pads: [2, 2, 2, 2], inC: 2, outC: 3 },
        { kh: 1, kw: 3, pads: [0, 1, 0, 1], sh: 2, inC: 5 },
        { kh: 3, kw: 3, sh: 2, sw: 2, pads: [1, 1, 1, 1], inH: 9, inW: 5, inC: 3, outC: 8 },
      ];
      checkConvs(cc, shapes.map((s, i) => [randomConv(100 + i, 'conv', s), 0] as const));
    });
    it(`${cc}: conv_im2col_s8 (K a multiple of 4 or not, odd pixel and channel counts, padding, dilation)`, () => {
      const shapes: Partial<ConvCase>[] = [
        {},
        { sh: 2, sw: 2, pads: [0, 0, 1, 1], inH: 9, inW: 8, outC: 8 }, // MobileNet's first layer, K = 27
        { dh: 2, dw: 2, pads: [2, 2, 2, 2], inC: 2, outC: 3 },
        { kh: 1, kw: 3, pads: [0, 1, 0, 1], sh: 2, inC: 4 }, // K = 12
        { kh: 3, kw: 3, sh: 2, sw: 2, pads: [1, 1, 1, 1], inH: 9, inW: 5, inC: 4, outC: 7 },
        { kh: 1, kw: 1, pads: [0, 0, 0, 0], inH: 1, inW: 1, inC: 5, outC: 1 },
      ];
      checkConvs(cc, shapes.map((s, i) => [randomConv(150 + i, 'conv', s), 8] as const));
    });
    it(`${cc}: the fast kernels on channels with shift 0 (real multiplier in [0.5, 1): no rounding shift)`, () => {
      const pw = randomConv(170, 'conv', { kh: 1, kw: 1, pads: [0, 0, 0, 0], inC: 8, outC: 6, inH: 3, inW: 5, zeroShift: true });
      expect(Array.from(pw.shift)).toContain(0);
      checkConvs(cc, [
        [pw, 1],
        [randomConv(171, 'conv', { sh: 2, sw: 2, pads: [0, 0, 1, 1], inH: 9, inW: 8, outC: 7, zeroShift: true }), 8],
        [randomConv(172, 'dw', { inC: 8, outC: 8, zeroShift: true }), 3],
        [randomConv(173, 'dw', { inC: 6, outC: 6, sh: 2, sw: 2, inH: 9, inW: 9, zeroShift: true }), 3],
      ]);
    });
    it(`${cc}: conv_1x1_s8 fast path (odd channel counts, K not a multiple of 4)`, () => {
      const cases: [ConvCase, number][] = [];
      for (const [i, s] of ([{ inC: 7, outC: 5 }, { inC: 16, outC: 8 }, { inC: 1, outC: 1 }, { inC: 33, outC: 3 }, { inC: 4, outC: 6, inH: 1, inW: 1 }] as Partial<ConvCase>[]).entries()) {
        const c = randomConv(200 + i, 'conv', { kh: 1, kw: 1, pads: [0, 0, 0, 0], inH: 5, inW: 3 + (i % 2), ...s }); // odd and even pixel counts
        cases.push([c, 1], [c, 0]);
      }
      checkConvs(cc, cases);
    });
    it(`${cc}: dw_conv_s8 general (multiplier 2, 5x5, dilation) and 3x3 fast path`, () => {
      const cases: [ConvCase, number][] = [
        [randomConv(300, 'dw', { inC: 3, outC: 6, kh: 5, kw: 5, pads: [2, 2, 2, 2] }), 2],
        [randomConv(301, 'dw', { inC: 4, outC: 4, dh: 2, dw: 2, pads: [2, 2, 2, 2] }), 2],
      ];
      for (const [i, s] of ([
        { pads: [1, 1, 1, 1] },
        { sh: 2, sw: 2, pads: [0, 0, 1, 1], inH: 8, inW: 8 },
        { sh: 2, sw: 2, pads: [1, 1, 1, 1], inH: 7, inW: 9 },
        { pads: [0, 0, 0, 0] },
        { inH: 1, inW: 1, pads: [1, 1, 1, 1] },
      ] as Partial<ConvCase>[]).entries()) {
        const c = randomConv(310 + i, 'dw', { inC: 5, outC: 5, ...s });
        cases.push([c, 3], [c, 2]);
      }
      checkConvs(cc, cases);
    });
    it(`${cc}: dw_conv_3x3_s8 in place (output overwrites input)`, () => {
      const cases: [ConvCase, number][] = [];
      for (const [i, s] of ([
        { inH: 6, inW: 5, inC: 3 },
        { inH: 1, inW: 4, inC: 2 },
        { inH: 9, inW: 9, inC: 8 },
        { inH: 7, inW: 6, inC: 4, pads: [0, 0, 2, 2] }, // same shape, all padding after
        { inH: 5, inW: 7, inC: 3, pads: [0, 1, 2, 1] },
      ] as Partial<ConvCase>[]).entries()) {
        cases.push([randomConv(400 + i, 'dw', { pads: [1, 1, 1, 1], ...s, outC: s.inC }), 4]);
      }
      checkConvs(cc, cases);
    });
    it(`${cc}: dw_conv_3x3_pixels_s8 (the low-RAM variant), in place and not, strides 1 and 2`, () => {
      const cases: [ConvCase, number][] = [];
      for (const [i, s] of ([
        { inH: 6, inW: 5, inC: 8 },
        { inH: 9, inW: 9, inC: 4, sh: 2, sw: 2 },
        { inH: 8, inW: 8, inC: 12, sh: 2, sw: 2, pads: [0, 0, 1, 1] },
        { inH: 1, inW: 1, inC: 4 },
      ] as Partial<ConvCase>[]).entries()) {
        const c = randomConv(450 + i, 'dw', { pads: [1, 1, 1, 1], ...s, outC: s.inC });
        cases.push([c, 9]);
        if ((s.sh ?? 1) === 1) cases.push([c, 10]);
      }
      checkConvs(cc, cases);
    });
    it(`${cc}: fc_s8 against the reference`, () => {
      const r = rng(500);
      for (const [K, O] of [[1, 1], [7, 3], [256, 2], [64, 10]]) {
        const w = Int8Array.from({ length: O * K }, () => randInt(r, -127, 127));
        const x = Int8Array.from({ length: K }, () => randInt(r, -128, 127));
        const bias = Int32Array.from({ length: O }, () => randInt(r, -5000, 5000));
        const zpIn = randInt(r, -128, 127), zpOut = randInt(r, -10, 10);
        const q = Array.from({ length: O }, () => quantizeMultiplier((50 + 50 * r()) / (127 * 128 * Math.sqrt(K))));
        const want = Array.from({ length: O }, (_, o) => {
          let acc = bias[o];
          for (let k = 0; k < K; k++) acc += w[o * K + k] * (x[k] - zpIn);
          return clamp(multiplyByQuantizedMultiplier(acc, q[o].multiplier, q[o].shift) + zpOut, -128, 127);
        });
        const folded = Array.from(bias, (b, o) => b - zpIn * w.slice(o * K, (o + 1) * K).reduce((s, v) => s + v, 0));
        const script = ['layer', 5, K, O, zpIn, zpOut, -128, 127, ...w, ...folded, ...q.map((v) => v.multiplier), ...q.map((v) => v.shift), ...x].join(' ');
        expect(run(cc, script)[0].split(' ').map(Number)).toEqual(want);
      }
    });
    it(`${cc}: avg_pool_s8 and global_avg_pool_s8 round as TFLite`, () => {
      // Hand golden: 2x2 window over [1, 2, 3, 5] sum 11 / 4 = 2.75 → 3; [−1, −2, −3, −5] → −3;
      // [1, 1, 1, 2] = 1.25 → 1; [−1, −1, −2, −2] = −1.5 → −2 (away from zero).
      const hand = run(cc, 'layer 6 2 2 4 1 1 4 2 2 2 2 0 0 0 0 -128 127 1 -1 1 -1 2 -2 1 -2 3 -3 1 -1 5 -5 2 -2');
      expect(hand[0].split(' ').map(Number)).toEqual([3, -3, 1, -2]);
      const r = rng(600);
      for (const [i, cfg] of [
        { h: 5, w: 5, k: 3, s: 2, p: 1, cip: 0 },
        { h: 5, w: 5, k: 3, s: 2, p: 1, cip: 1 },
        { h: 3, w: 3, k: 3, s: 1, p: 0, cip: 0 },
      ].entries()) {
        const C = 3, zp = randInt(r, -50, 50);
        const x = Int8Array.from({ length: cfg.h * cfg.w * C }, () => randInt(r, -128, 127)); // NHWC
        const oh = outSize(cfg.h, cfg.k, cfg.s, 1, cfg.p, cfg.p), ow = outSize(cfg.w, cfg.k, cfg.s, 1, cfg.p, cfg.p);
        const want: number[] = [];
        for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let c = 0; c < C; c++) {
          let sum = 0, count = 0;
          for (let ky = 0; ky < cfg.k; ky++) for (let kx = 0; kx < cfg.k; kx++) {
            const iy = y * cfg.s - cfg.p + ky, ix = xx * cfg.s - cfg.p + kx;
            if (iy < 0 || iy >= cfg.h || ix < 0 || ix >= cfg.w) { if (cfg.cip) { sum += zp; count++; } continue; }
            sum += x[(iy * cfg.w + ix) * C + c]; count++;
          }
          want.push(clamp(roundedMean(sum, count), -100, 127));
        }
        const script = ['layer', 6, cfg.h, cfg.w, C, oh, ow, C, cfg.k, cfg.k, cfg.s, cfg.s, cfg.p, cfg.p, cfg.cip, zp, -100, 127, ...x].join(' ');
        expect(run(cc, script)[0].split(' ').map(Number), `case ${i}`).toEqual(want);
      }
      const gx = Int8Array.from({ length: 6 * 6 * 4 }, () => randInt(r, -128, 127));
      const gwant = Array.from({ length: 4 }, (_, c) => {
        let s = 0;
        for (let i = 0; i < 36; i++) s += gx[i * 4 + c];
        return clamp(roundedMean(s, 36), -128, 127);
      });
      expect(run(cc, ['layer', 7, 6, 6, 4, -128, 127, ...gx].join(' '))[0].split(' ').map(Number)).toEqual(gwant);
    });
  }
});
