/**
 * benchTarget: a converted folder measured on one emulated Cortex-M, side by side with CMSIS-NN
 * running the same quantized model (issue 10), and a text formatter: per layer group (first conv,
 * depthwise, pointwise, pool + fully connected, total) and per layer, ours / peer.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { HAVE_SHARED, readManifest, reconstructModel, sharedPath } from './repo.js';
import type { Cpu } from './boards.js';
import { describeComparison } from './layer_check.js';
import { LAYER_GROUPS, type LayerGroup } from './layer_group.js';
import { runOnTarget, type LayerInstructions, type TargetRun } from './run_target.js';

export interface BenchTargetOptions {
  readonly cpu: Cpu;
  readonly peer?: 'cmsis-nn';
  /** Images (folder, CSV or paths; at most 8 embedded). Default: the folder's calibration set in ../shared/images when present. */
  readonly images?: string | readonly string[];
  readonly random?: number;
  readonly seed?: number;
  /** Write the result as JSON to this file. */
  readonly json?: string;
  readonly work?: string;
  readonly timeoutMs?: number;
}

export interface BenchInstructions {
  readonly total: number;
  readonly layers: readonly LayerInstructions[];
}

/** The object of issue 10 (first keys), with the details behind each figure after them. */
export interface BenchTargetResult {
  readonly cpu: Cpu;
  readonly bitExact: boolean;
  readonly instructions: BenchInstructions;
  readonly codeBytes: number;
  readonly flashBytes: number;
  readonly arenaBytes: number;
  readonly stackBytes: number;
  /** .bss + .data of the runner's objects (the static arena included). */
  readonly staticRamBytes: number;
  /** Static RAM + worst-case stack: what a firmware reserves for the model. */
  readonly totalRamBytes: number;
  readonly estimatedM4Cycles: number | null;
  readonly peer?: {
    readonly name: 'cmsis-nn';
    readonly bitExact: boolean;
    readonly instructions: BenchInstructions;
    readonly codeBytes: number;
    readonly arenaBytes: number;
    readonly flashBytes: number;
    readonly stackBytes: number;
    readonly staticRamBytes: number;
    readonly totalRamBytes: number;
    readonly estimatedM4Cycles: number | null;
    readonly arenaDetail: string;
    readonly details: TargetRun;
  };
  /** Ours and the peer gave the same bytes on every input (both equal the integer reference). */
  readonly outputsEqual?: boolean;
  /** When the peer differs from the reference: which layer diverges first. */
  readonly peerDiagnosis?: string;
  readonly model: string;
  readonly details: TargetRun;
}

/** The calibration images the folder was converted with, when they are in ../shared/images. */
function defaultImages(dir: string): string | undefined {
  const m = readManifest(dir) as { model?: { source?: { calibration?: { from?: string } } } };
  const from = m.model?.source?.calibration?.from;
  if (!HAVE_SHARED || !from) return undefined;
  const p = sharedPath('images', from);
  return existsSync(p) ? p : undefined;
}

export async function benchTarget(dir: string, opts: BenchTargetOptions): Promise<BenchTargetResult> {
  const model = reconstructModel(dir);
  const common = { cpu: opts.cpu, images: opts.images ?? defaultImages(dir), random: opts.random ?? 2, seed: opts.seed ?? 1, work: opts.work, model, timeoutMs: opts.timeoutMs };
  const ours = await runOnTarget(dir, common);
  let peer: BenchTargetResult['peer'];
  let peerDiagnosis: string | undefined;
  if (opts.peer === 'cmsis-nn') {
    let p = await runOnTarget(dir, { ...common, runner: 'cmsis-nn' });
    if (!p.bitExact) {
      // Find which side is wrong: the peer's layers against the integer reference.
      p = await runOnTarget(dir, { ...common, runner: 'cmsis-nn', dumpLayers: true });
      peerDiagnosis = `CMSIS-NN differs from the integer reference on ${p.mismatches} input(s); ${describeComparison(p.layerCheck ?? [])}`;
    }
    peer = {
      name: 'cmsis-nn', bitExact: p.bitExact, instructions: p.instructions, codeBytes: p.codeBytes, arenaBytes: p.arenaBytes,
      flashBytes: p.flashBytes, stackBytes: p.stackBytes, staticRamBytes: p.staticRamBytes, totalRamBytes: p.staticRamBytes + p.stackBytes,
      estimatedM4Cycles: p.estimatedM4Cycles, arenaDetail: p.arenaDetail, details: p,
    };
  }
  const result: BenchTargetResult = {
    cpu: opts.cpu,
    bitExact: ours.bitExact,
    instructions: ours.instructions,
    codeBytes: ours.codeBytes,
    flashBytes: ours.flashBytes,
    arenaBytes: ours.arenaBytes,
    stackBytes: ours.stackBytes,
    staticRamBytes: ours.staticRamBytes,
    totalRamBytes: ours.staticRamBytes + ours.stackBytes,
    estimatedM4Cycles: ours.estimatedM4Cycles,
    ...(peer ? { peer, outputsEqual: ours.bitExact && peer.bitExact } : {}),
    ...(peerDiagnosis ? { peerDiagnosis } : {}),
    model: model.name,
    details: ours,
  };
  if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n');
  return result;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
// the total's ratio to three places: it is the figure set against the issue's targets (≤ 0.50 and the like)
const ratio = (a: number, b: number | undefined, digits = 2) => (b ? (a / b).toFixed(digits) : '');

/** The several-cores summary `onnx2mcu bench` and src/target/main.ts print: one line per core. */
export function formatBenchSummary(results: readonly BenchTargetResult[], peer: boolean): string {
  const lines = [`summary: instructions per inference${peer ? ' (ours, cmsis-nn, ours / cmsis-nn)' : ''}`];
  for (const r of results) {
    lines.push(`  ${r.cpu.padEnd(14)} ${fmt(r.instructions.total).padStart(12)}${r.peer ? ` ${fmt(r.peer.instructions.total).padStart(12)}  ${ratio(r.instructions.total, r.peer.instructions.total, 3)}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** Columns before `left` are left-aligned, the others (numbers) right-aligned. */
function table(rows: string[][], left = 1): string[] {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c < left ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ').trimEnd());
}

export function formatBenchTarget(r: BenchTargetResult, opts: { perLayer?: boolean } = {}): string {
  const d = r.details;
  const sums = (ls: readonly LayerInstructions[]) => {
    const s = new Map<LayerGroup, { n: number; count: number }>();
    ls.forEach((l) => {
      const g = l.group;
      const e = s.get(g) ?? { n: 0, count: 0 };
      s.set(g, { n: e.n + l.instructions, count: e.count + 1 });
    });
    return s;
  };
  const ours = sums(r.instructions.layers);
  const peer = r.peer ? sums(r.peer.instructions.layers) : undefined;
  const head = ['layer group', 'ours', ...(r.peer ? ['cmsis-nn', 'ours/peer'] : [])];
  const rows = [head];
  for (const g of LAYER_GROUPS) {
    const o = ours.get(g);
    if (!o) continue;
    const p = peer?.get(g);
    rows.push([`${g}${o.count > 1 ? ` (${o.count})` : ''}`, fmt(o.n), ...(r.peer ? [p ? fmt(p.n) : '-', ratio(o.n, p?.n)] : [])]);
  }
  rows.push(['total', fmt(r.instructions.total), ...(r.peer ? [fmt(r.peer.instructions.total), ratio(r.instructions.total, r.peer.instructions.total, 3)] : [])]);
  const spread = (t: TargetRun) => {
    const xs = t.perInput.map((p) => p.instructions);
    const lo = Math.min(...xs), hi = Math.max(...xs);
    return lo === hi ? `identical on all ${xs.length} inputs` : `${fmt(lo)}..${fmt(hi)} over ${xs.length} inputs (${(((hi - lo) / lo) * 100).toFixed(3)} %)`;
  };
  const lib = (t: TargetRun) => (t.libraryCode.length ? ` + ${t.libraryCode.map((l) => `${l.symbol} ${fmt(l.code)}`).join(', ')} (libc/libgcc)` : '');
  const lines = [
    `${r.model} on ${r.cpu} (QEMU ${d.machine}, instructions executed, markers subtracted)`,
    `  outputs: ours ${r.bitExact ? 'bit-exact' : `DIFFER on ${d.mismatches} input(s)`} against the integer reference on ${d.inputs.images} image(s) + ${d.inputs.random} random input(s)` +
      (r.peer ? `; CMSIS-NN ${r.peer.bitExact ? 'bit-exact' : `DIFFERS on ${r.peer.details.mismatches}`}${r.outputsEqual ? ', so ours = CMSIS-NN byte for byte' : ''}` : ''),
    ...(r.peerDiagnosis ? [`  ${r.peerDiagnosis}`] : []),
    ...d.mismatchDetails.slice(0, 5).map((m) => `    ours: ${m}`),
    ...(r.peer?.details.mismatchDetails.slice(0, 5).map((m) => `    cmsis-nn: ${m}`) ?? []),
    `  instructions per inference on the first input (${d.perInput[0]?.input}); per input: ours ${spread(d)}${r.peer ? `, cmsis-nn ${spread(r.peer.details)}` : ''}`,
    ...table(rows),
    ...(d.streamedLayers ? [`  (the first ${d.streamedLayers} layers run row by row, interleaved: their instructions are all in the first conv's row)`] : []),
    `  code bytes (linked .text of the runner's objects): ours ${fmt(r.codeBytes)}${lib(d)}` + (r.peer ? `; cmsis-nn ${fmt(r.peer.codeBytes)} (peer_model.c + CMSIS-NN members)${lib(r.peer.details)}` : ''),
    `  flash bytes (linked constants: weights, biases, requantization, parameters): ours ${fmt(r.flashBytes)}` + (r.peer ? `; cmsis-nn ${fmt(r.peer.flashBytes)}` : ''),
    `  arena bytes: ours ${fmt(r.arenaBytes)} (${d.arenaDetail})` + (r.peer ? `; cmsis-nn ${fmt(r.peer.arenaBytes)} (${r.peer.arenaDetail})` : ''),
    `  RAM: ours static ${fmt(r.staticRamBytes)} (.bss + .data of the runner's objects: the arena${d.streamedLayers ? ', no input buffer' : ' with the input'}, and the rest) + stack ${fmt(r.stackBytes)} = ${fmt(r.totalRamBytes)}` +
      (r.peer ? `; cmsis-nn ${fmt(r.peer.staticRamBytes)} + ${fmt(r.peer.stackBytes)} = ${fmt(r.peer.totalRamBytes)} (+ the caller's input buffer: the peer reads its input from there, outside its arena)` : ''),
    `  worst-case stack of one inference: ours ${fmt(r.stackBytes)} (${d.stack.path.map((p) => `${p.name} ${p.bytes}`).join(' > ')})` + (r.peer ? `; cmsis-nn ${fmt(r.peer.stackBytes)} (${r.peer.details.stack.path.map((p) => `${p.name} ${p.bytes}`).join(' > ')})` : ''),
  ];
  if (r.estimatedM4Cycles !== null && d.m4Estimate) {
    const pe = r.peer?.details.m4Estimate;
    lines.push(`  ESTIMATED Cortex-M4 cycles (instruction mix x Cortex-M4 TRM Table 3-1 timings, not measured): ours ${fmt(d.m4Estimate.cycles)} (${fmt(d.m4Estimate.low)}..${fmt(d.m4Estimate.high)})` +
      (pe ? `; cmsis-nn ${fmt(pe.cycles)} (${fmt(pe.low)}..${fmt(pe.high)})` : ''));
  }
  const mix = (t: TargetRun) => {
    const m = t.mix;
    const share = (k: string) => `${k} ${((100 * (m[k] ?? 0)) / m.insns).toFixed(1)}%`;
    const keys = ['alu', 'mul', 'mul_long', 'load', 'store', 'load_dual', 'store_dual', 'load_multi', 'store_multi', 'branch', 'branch_cond', 'it', 'vec_load', 'vec_store', 'vec', 'fp', 'div'].filter((k) => (m[k] ?? 0) > 0);
    return `${keys.map(share).join(', ')}; taken branches ${fmt(m.taken)}, not taken ${fmt(m.not_taken)}`;
  };
  lines.push(`  mix ours: ${mix(d)}`);
  if (r.peer) lines.push(`  mix cmsis-nn: ${mix(r.peer.details)}`);
  if (opts.perLayer ?? true) {
    const rowsL = [['#', 'layer', 'op', 'ours', ...(r.peer ? ['cmsis-nn', 'ours/peer'] : [])]];
    r.instructions.layers.forEach((l, i) => {
      const p = r.peer?.instructions.layers[i];
      rowsL.push([String(i), l.name, l.group === 'pointwise' ? 'conv2d 1x1' : l.op, fmt(l.instructions), ...(r.peer ? [p ? fmt(p.instructions) : '-', ratio(l.instructions, p?.instructions)] : [])]);
    });
    lines.push('  per layer (the first includes the call into the runner, the last its return):', ...table(rowsL, 3).map((s) => '  ' + s));
  }
  return lines.join('\n');
}
