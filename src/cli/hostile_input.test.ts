/**
 * Hostile input through the command line (issue 14): one case per class of the issue, then two
 * properties — random node names and attribute values, and random argument vectors — each run
 * ending in success or a one-line error (exit 1 or 2): never a crash, a hang, a raw stack, a
 * control character on the terminal, C that does not compile under the strict flags, or a lost
 * file. Seeded and small for `make test`; ONNX2MCU_PROPERTY_RUNS runs more.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph, Node } from '../ir/graph.js';
import { floatTensor } from '../ir/tensor.js';
import { generateMobileNetV1 } from '../generate/mobilenet.js';
import { writeSyntheticImages } from '../generate/images.js';
import { encodeNpy } from '../images/npy.js';
import { exportOnnx, exportOnnxWithExternalData } from '../onnx/export.js';
import { availableCompilers, STRICT_FLAGS } from '../verify/compile.js';
import { compileObjectSync } from '../util/object_cache.js';
import { cliInProcess, type CliResult } from './cli_testing.js';

const RUNS = Number(process.env.ONNX2MCU_PROPERTY_RUNS ?? 0);
const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = generateMobileNetV1({ width: 0.25, resolution: 32, classes: 3, seed: 14 });
const MODEL = join(tmp, 'models', 'tiny.onnx');
const CALIB = join(tmp, 'calib');
const FIFO = join(tmp, 'fifo.png');
/** Files no command may change: the inputs and a folder of someone else's. */
const PRECIOUS = join(tmp, 'precious');

beforeAll(async () => {
  mkdirSync(join(tmp, 'models'));
  writeFileSync(MODEL, exportOnnx(base));
  await writeSyntheticImages(CALIB, 2, [32, 32], 14);
  execFileSync('mkfifo', [FIFO]);
  mkdirSync(PRECIOUS);
  writeFileSync(join(PRECIOUS, 'thesis.txt'), 'years of work\n');
});

type Result = CliResult;
/** The CLI in this process, in `tmp`. */
const cli = (...args: string[]) => cliInProcess(tmp, ...args);

/** What every run must satisfy: exit 0, 1 or 2; nothing a terminal acts on; on failure one line, no stack (unless asked for with --verbose). */
function expectContract(r: Result, verbose = false): void {
  expect([0, 1, 2], r.stderr).toContain(r.code);
  expect(r.stderr + r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  if (r.code !== 0) {
    const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('onnx2mcu: warning: ') && !/^(calibrating|bias correction|verify)\b/.test(l));
    if (verbose) {
      expect(lines[0]).toMatch(/^onnx2mcu: /);
      return;
    }
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^onnx2mcu: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
}

function expectError(r: Result, code: number, ...fragments: string[]): void {
  expectContract(r);
  expect(r.code, r.stderr).toBe(code);
  for (const f of fragments) expect(r.stderr).toContain(f);
}

/** The model with `edit` applied, written as `name`.onnx. */
function variant(name: string, edit: (g: Graph) => Graph): string {
  const path = join(tmp, 'models', `${name}.onnx`);
  writeFileSync(path, exportOnnx(edit(base)));
  return path;
}

const mapNodes = (g: Graph, f: (n: Node, i: number) => Node): Graph => ({ ...g, nodes: g.nodes.map(f) });
const withWeight = (g: Graph, name: string, index: number, v: number): Graph => {
  const t = g.constants.get(name)!;
  const data = Float32Array.from(t.data as Float32Array);
  data[index] = v;
  return { ...g, constants: new Map([...g.constants, [name, floatTensor(t.shape, data)]]) };
};

/** Compiles every .c of a converted folder with the strict flags (no link). */
function compileStrict(dir: string): void {
  const compiler = availableCompilers()[0];
  if (!compiler) return;
  const sources = readdirSync(dir).filter((f) => f.endsWith('.c')).map((f) => join(dir, f));
  const objDir = mkdtempSync(join(tmp, 'obj-'));
  sources.forEach((source, i) => compileObjectSync({ compiler, flags: [...STRICT_FLAGS, `-I${dir}`], source, object: join(objDir, `${i}.o`) }));
}

/** sha256 of every file under `paths` (for "nothing was lost or changed"). */
function snapshot(paths: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    else if (st.isFile()) out.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
  };
  for (const p of paths) walk(p);
  return out;
}

describe('each class of the issue, through the CLI', () => {
  it('2: graph names that would break a C comment convert to C that compiles under -Werror; a stride of 2^40 is refused', async () => {
    const hostile = ['a/*b', 'c*/d', 'e??/', 'f\\', '*/', '/*', 'g??=h', 'x\ny'];
    const named = variant('names', (g) => mapNodes(g, (n, i) => ({ ...n, name: `${hostile[i % hostile.length]}${i}` })));
    const out = join(tmp, 'out_names');
    const r = await cli('convert', named, '--calib', CALIB, '--calib-count', '1', '--out', out, '--json');
    expectContract(r);
    expect(r.code, r.stderr).toBe(0);
    expect(() => compileStrict(out)).not.toThrow();
    const stride = variant('stride', (g) => mapNodes(g, (n, i) => (i === 0 ? { ...n, attrs: { ...n.attrs, strides: [2 ** 40, 2 ** 40] } } : n)));
    expectError(await cli('inspect', stride), 1, "node 'conv1' (Conv): attribute 'strides'[0] = 1099511627776 is not an integer that fits int32");
  });

  it('3: an escape sequence in a node name reaches the terminal escaped', async () => {
    const evil = variant('evil', (g) => mapNodes(g, (n, i) => (i === 0 ? { ...n, name: '\x1b[2K\r\x1b[32mALL GOOD\x1b[0m', attrs: { ...n.attrs, strides: [0, 0] } } : n)));
    const r = await cli('inspect', evil);
    expectError(r, 1, "node '\\u001b[2K\\u000d\\u001b[32mALL GOOD\\u001b[0m' (Conv)");
  });

  it('4: non-finite weights, a graph with no outputs and a folder as the model are named in one line', async () => {
    expectError(await cli('inspect', variant('nan', (g) => withWeight(g, 'conv1.weight', 5, NaN))), 1, "constant 'conv1.weight': element 5 is NaN");
    expectError(await cli('inspect', variant('huge', (g) => withWeight(g, 'conv1.weight', 5, 3e38))), 1, "constant 'conv1.weight': element 5 is 3.0000000054977558e+38, beyond ±2^64");
    expectError(await cli('inspect', variant('nooutputs', (g) => ({ ...g, outputs: [] }))), 1, 'no outputs');
    expectError(await cli('inspect', CALIB), 1, 'is not a regular file (a directory)');
  });

  it('5: a FIFO as an image or as external data, /proc, a huge class count, a huge image: refused at once', async () => {
    const t0 = performance.now();
    expectError(await cli('run', MODEL, FIFO), 1, 'fifo.png is not a regular file (a FIFO)');
    const ext = join(tmp, 'ext');
    mkdirSync(ext);
    const { model, data } = exportOnnxWithExternalData(base, 'weights.bin');
    writeFileSync(join(ext, 'm.onnx'), model);
    writeFileSync(join(ext, 'real.bin'), data);
    execFileSync('mkfifo', [join(ext, 'weights.bin')]);
    expectError(await cli('inspect', join(ext, 'm.onnx')), 1, "external data 'weights.bin' is not a regular file (a FIFO)");
    expectError(await cli('inspect', '/proc/self/status'), 1, 'refusing to read /proc/');
    expectError(await cli('generate', '--width', '1', '--resolution', '96', '--classes', '1000000000', '--out', join(tmp, 'g.onnx')), 1, 'more than the 67108864 (2^26) a tensor may hold');
    // A PNG whose header claims 16000 × 16000 pixels: refused before anything is decoded.
    const png = pngHeader(16000, 16000);
    writeFileSync(join(tmp, 'huge.png'), png);
    expectError(await cli('pixels', join(tmp, 'huge.png'), '--size', '32', '--out', join(tmp, 'huge.rgb')), 1, '16000×16000 pixels, more than the 67108864 (8192×8192)');
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('8: a NaN input tensor, and a calibration CSV naming a file outside its folder', async () => {
    const x = floatTensor([1, 3, 32, 32], new Float32Array(3 * 32 * 32).fill(0.5));
    (x.data as Float32Array)[7] = NaN;
    writeFileSync(join(tmp, 'nan.npy'), encodeNpy(x));
    expectError(await cli('run', MODEL, join(tmp, 'nan.npy')), 1, 'nan.npy: element 7 is NaN');
    writeFileSync(join(CALIB, 'list.csv'), 'file\n../precious/thesis.png\n');
    expectError(await cli('convert', MODEL, '--calib', join(CALIB, 'list.csv'), '--out', join(tmp, 'o_csv')), 1, "list.csv:2: image '../precious/thesis.png' is outside the CSV's folder");
    rmSync(join(CALIB, 'list.csv'));
  });
});

/** A PNG whose header says w × h RGB pixels, holding one row of them (a few hundred bytes). */
function pngHeader(w: number, h: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), body])));
    return Buffer.concat([len, Buffer.from(type, 'latin1'), body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const oneRow = deflateSync(Buffer.alloc(w * 3 + 1));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', oneRow), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------------- properties

/** Names biased towards what breaks C comments, terminals and file systems. */
const hostileName = fc.string({
  unit: fc.oneof(fc.constantFrom('*', '/', '?', '\\', '"', '\n', '\r', '\x1b', '\u009b', '\u202e', '\0', '.', ' ', 'é', 'conv'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  minLength: 1,
  maxLength: 12,
});
const edgeInt = fc.oneof(fc.constantFrom(0, 1, 2, 3, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 40, 1000), fc.integer({ min: -4, max: 64 }));

describe('random node names and attribute values', () => {
  it(`convert succeeds with C that compiles under the strict flags, or refuses in one line (${RUNS || 5} seeded models)`, async () => {
    const cases = fc.sample(
      fc.record({
        names: fc.array(hostileName, { minLength: 4, maxLength: 4 }),
        conv: fc.integer({ min: 0, max: base.nodes.length - 1 }),
        attr: fc.constantFrom('strides', 'pads', 'dilations'),
        values: fc.array(edgeInt, { minLength: 4, maxLength: 4 }),
      }),
      { seed: 14, numRuns: RUNS || 5 },
    );
    const outcomes: number[] = [];
    for (const [k, c] of cases.entries()) {
      const path = variant(`random_${k}`, (g) => mapNodes(g, (n, i) => {
        const name = `${c.names[i % c.names.length]}${i}`;
        if (i !== c.conv || n.op !== 'Conv') return { ...n, name };
        const size = c.attr === 'pads' ? 4 : 2;
        return { ...n, name, attrs: { ...n.attrs, [c.attr]: c.values.slice(0, size) } };
      }));
      const out = join(tmp, `out_random_${k}`);
      const r = await cli('convert', path, '--calib', CALIB, '--calib-count', '1', '--out', out, '--threads', '1');
      expectContract(r);
      if (r.code === 0) expect(() => compileStrict(out)).not.toThrow();
      outcomes.push(r.code);
    }
    expect(outcomes).toContain(0); // hostile names alone convert
  });
});

describe('random command lines', () => {
  it(`each run exits 0, 1 or 2 with at most one error line, and no input or foreign file changes (${RUNS || 30} seeded argument vectors)`, async () => {
    const image = join(CALIB, readdirSync(CALIB).find((f) => f.endsWith('.png'))!);
    const before = snapshot([MODEL, CALIB, PRECIOUS]);
    const path = fc.constantFrom(MODEL, CALIB, image, FIFO, PRECIOUS, join(PRECIOUS, 'thesis.txt'), '/proc/self/status', '/', '.', '', join(tmp, 'nope.onnx'), join(tmp, 'new_out'), join(tmp, 'new.onnx'), join(tmp, 'new.rgb'));
    const value = fc.oneof(path, fc.constantFrom('0', '1', '3', '32', '0.25', '-1', 'NaN', '1e9', '99999999999999999999', 'all', 'import', 'folded', 'int8', 'x/255', 'mean=1,2;std=0,0,0', '32x32', 'gemm'), hostileName);
    // Each command with its required arguments (usually valid, sometimes anything) and a few of its
    // options, so that most runs get past the parser and into the command. (verify is left out: its
    // successful runs are four compilations, tested in src/verify.)
    const valid = (v: string) => fc.oneof({ weight: 3, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: value });
    const REQUIRED: Record<string, fc.Arbitrary<string[]>> = {
      inspect: fc.tuple(valid(MODEL)),
      run: fc.tuple(valid(MODEL), valid(image)),
      eval: fc.tuple(valid(MODEL), fc.constant('--images'), valid(CALIB), fc.constant('--calib'), valid(CALIB)),
      generate: fc.tuple(fc.constant('--out'), valid(join(tmp, 'new.onnx'))),
      convert: fc.tuple(valid(MODEL), fc.constant('--calib'), valid(CALIB), fc.constant('--out'), valid(join(tmp, 'new_out'))),
      pixels: fc.tuple(valid(image), fc.constant('--size'), valid('32'), fc.constant('--out'), valid(join(tmp, 'new.rgb'))),
    };
    const OPTIONS: Record<string, readonly string[]> = {
      inspect: ['--json', '--stage', '--dump-after', '--dump-dir', '--scale'],
      run: ['--top', '--json', '--stage', '--scale', '--calib'],
      eval: ['--labels', '--label-column', '--limit', '--json', '--images', '--calib'],
      generate: ['--classes', '--seed', '--head', '--calib-out', '--force', '--out'],
      convert: ['--prefix', '--input-layout', '--force', '--json', '--dump-after', '--dump-dir', '--out'],
      pixels: ['--force', '--size', '--out'],
    };
    const FLAGS = new Set(['--json', '--force', '--verbose']);
    const argv = fc.constantFrom(...Object.keys(OPTIONS)).chain((cmd) => fc.tuple(
      fc.constant(cmd),
      REQUIRED[cmd],
      fc.array(fc.tuple(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...OPTIONS[cmd]) }, { weight: 1, arbitrary: fc.constantFrom('--verbose', '--bogus') }), value), { maxLength: 3 }),
    )).map(([cmd, required, options]) => [cmd, ...required, ...options.flatMap(([o, v]) => (FLAGS.has(o) ? [o] : [o, v]))]);
    const codes: number[] = [];
    for (const args of fc.sample(argv, { seed: 14, numRuns: RUNS || 30 })) {
      // Keep the slow paths short: one calibration image, a small generated model, few random inputs.
      if (args.includes('--calib')) args.push('--calib-count', '1');
      if (args[0] === 'generate') args.push('--width', '0.25', '--resolution', '32');
      const r = await cli(...args);
      try {
        expectContract(r, args.includes('--verbose'));
      } catch (e) {
        throw new Error(`onnx2mcu ${JSON.stringify(args)}: ${(e as Error).message}`);
      }
      expect(snapshot([MODEL, CALIB, PRECIOUS]), JSON.stringify(args)).toEqual(before);
      codes.push(r.code);
    }
    // The vectors reach past the parser: runs that succeed and runs refused by the commands themselves.
    expect(codes).toContain(0);
    expect(codes).toContain(1);
  });
});
