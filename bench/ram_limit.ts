/**
 * `make bench` (bench-target), issue 11 below the largest tensor: the same model converted twice in
 * the same run, with whole tensors and with `--ram-limit` (the first layers streamed row by row),
 * side by side: arena, the whole RAM on Cortex-M4 (static + worst-case stack), MACs, and
 * instructions per inference on emulated Cortex-M4 (QEMU plugin) and on the host (callgrind), the
 * streamed one as a ratio of the whole one. Both runners are checked bit-exact on target first.
 *
 *   tsx bench/ram_limit.ts IMAGE WHOLE_DIR STREAMED_DIR...
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { benchTarget } from '../src/target/bench_target.js';
import { loadPixelsUint8 } from '../src/images/load.js';
import { has, hostInstructions } from './host/instructions.js';

const [image, whole, ...streamed] = process.argv.slice(2);
if (!image || !whole || streamed.length === 0) {
  console.error('usage: tsx bench/ram_limit.ts IMAGE WHOLE_DIR STREAMED_DIR...');
  process.exit(2);
}
const fmt = (n: number) => n.toLocaleString('en-US');
const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-bench-ram-'));
try {
  const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const macs = (m: { layers: { macs: number }[]; arena: { stream?: { extra_macs: number } } }) => m.layers.reduce((a, l) => a + l.macs, 0) + (m.arena.stream?.extra_macs ?? 0);
  const mw = manifest(whole);
  const [h, w] = mw.input.layout === 'nhwc' ? mw.input.c_shape : mw.input.c_shape.slice(1);
  const pixels = join(work, 'input.rgb');
  writeFileSync(pixels, (await loadPixelsUint8(image, [h, w])).data);
  const host = has('valgrind');
  const measure = async (dir: string, k: number) => {
    const m = manifest(dir);
    const m4 = await benchTarget(dir, { cpu: 'cortex-m4', images: [image], random: 1, work: join(work, `m4_${k}`) });
    if (!m4.bitExact) throw new Error(`${dir}: not bit-exact on Cortex-M4`);
    const stream = m.arena.stream;
    return {
      name: stream ? `${stream.layers.length} layers streamed, bands of ${stream.band} (${basename(dir)})` : `whole tensors (${basename(dir)})`,
      arena: m.arena.bytes as number, ram: m4.totalRamBytes, macs: macs(m), m4: m4.instructions.total,
      host: host ? hostInstructions(dir, pixels, join(work, `host_${k}`)) : NaN,
    };
  };
  const base = await measure(whole, 0);
  const rows: string[][] = [['', 'arena B', 'M4 RAM (static + stack) B', 'MACs (+ extra)', 'M4 instructions', 'host instructions (callgrind)']];
  const cell = (v: number, b: number) => (Number.isNaN(v) ? 'valgrind missing' : `${fmt(v)}${v === b ? '' : ` (${(v / b).toFixed(3)}×)`}`);
  rows.push([base.name, fmt(base.arena), fmt(base.ram), fmt(base.macs), fmt(base.m4), Number.isNaN(base.host) ? 'valgrind missing' : fmt(base.host)]);
  for (const [k, dir] of streamed.entries()) {
    const r = await measure(dir, k + 1);
    rows.push([r.name, cell(r.arena, base.arena), cell(r.ram, base.ram), cell(r.macs, base.macs), cell(r.m4, base.m4), cell(r.host, base.host)]);
  }
  const width = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`${mw.model.name}: whole tensors against the first layers streamed row by row (convert --ram-limit), every runner bit-exact on Cortex-M4; ratios to the whole-tensor runner`);
  for (const r of rows) console.log('  ' + r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  '));
  console.log('  (streamed: the input is read a row at a time, not stored; MACs include the rows the schedule computes beyond each output, from its replay)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
