/**
 * `make bench` (bench-target), issue 11 below the largest tensor: the same model converted twice in
 * the same run, with whole tensors and with `--ram-limit` (the first layers streamed row by row),
 * side by side: arena, the whole RAM on Cortex-M4 (static + worst-case stack), MACs, and
 * instructions per inference on emulated Cortex-M4 (QEMU plugin) and on the host (callgrind), the
 * streamed one as a ratio of the whole one. Both runners are checked bit-exact on target first.
 *
 *   tsx bench/ram_limit.ts WHOLE_DIR STREAMED_DIR IMAGE
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { benchTarget } from '../src/target/bench_target.js';
import { loadPixelsUint8 } from '../src/images/load.js';
import { has, hostInstructions } from './host/instructions.js';

const [whole, streamed, image] = process.argv.slice(2);
if (!whole || !streamed || !image) {
  console.error('usage: tsx bench/ram_limit.ts WHOLE_DIR STREAMED_DIR IMAGE');
  process.exit(2);
}
const fmt = (n: number) => n.toLocaleString('en-US');
const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-bench-ram-'));
try {
  const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const mw = manifest(whole), ms = manifest(streamed);
  const macs = (m: { layers: { macs: number }[] }) => m.layers.reduce((a, l) => a + l.macs, 0);
  const [h, w] = mw.input.layout === 'nhwc' ? mw.input.c_shape : mw.input.c_shape.slice(1);
  const pixels = join(work, 'input.rgb');
  writeFileSync(pixels, (await loadPixelsUint8(image, [h, w])).data);

  const rows: string[][] = [['', 'whole tensors', `streamed (--ram-limit)`, 'streamed / whole']];
  const add = (what: string, a: number, b: number) => rows.push([what, fmt(a), fmt(b), (b / a).toFixed(3)]);
  const m4w = await benchTarget(whole, { cpu: 'cortex-m4', images: [image], random: 1, work: join(work, 'm4w') });
  const m4s = await benchTarget(streamed, { cpu: 'cortex-m4', images: [image], random: 1, work: join(work, 'm4s') });
  if (!m4w.bitExact || !m4s.bitExact) throw new Error(`not bit-exact on Cortex-M4: whole ${m4w.bitExact}, streamed ${m4s.bitExact}`);
  add('arena bytes (MODEL_ARENA_SIZE)', mw.arena.bytes, ms.arena.bytes);
  add('Cortex-M4 RAM: static + stack', m4w.totalRamBytes, m4s.totalRamBytes);
  add('MACs', macs(mw), macs(ms));
  add('Cortex-M4 instructions / inference', m4w.instructions.total, m4s.instructions.total);
  if (has('valgrind')) add('host instructions / inference (callgrind)', hostInstructions(whole, pixels, join(work, 'hw')), hostInstructions(streamed, pixels, join(work, 'hs')));
  else rows.push(['host instructions', 'valgrind not installed', '', '']);

  const width = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`${mw.model.name}: whole tensors (${basename(whole)}) vs the first ${ms.arena.stream?.layers.length ?? 0} layers streamed row by row (${basename(streamed)}); both bit-exact on Cortex-M4`);
  for (const r of rows) console.log('  ' + r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  '));
  console.log('  (streamed: the input is read a row at a time and is not in the arena; extra MACs 0, every row computed once)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
