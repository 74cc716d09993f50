/**
 * Arena planning: greedy by size (TFLite Micro's GreedyMemoryPlanner idea). Buffers are placed
 * largest first, each at the lowest aligned offset where it overlaps no already placed buffer
 * whose lifetime intersects its own. `checkPlan` verifies the result independently: two buffers
 * alive at the same step never share a byte.
 */
import type { TensorLifetime } from './lifetimes.js';

export interface PlanOptions {
  /** Offset alignment in bytes (default 16: safe for any SIMD load on Cortex-M and hosts). */
  readonly alignment?: number;
}

export interface ArenaPlan {
  /** Offset of every buffer and of every tensor stored in it. */
  readonly offsets: ReadonlyMap<string, number>;
  readonly buffers: readonly TensorLifetime[];
  /** Arena bytes: the highest end offset of any buffer. */
  readonly peakBytes: number;
  /**
   * The layer that sets the peak: among the steps at which the arena's highest byte is in use, the
   * one with the most live bytes (index into the execution order).
   */
  readonly peakLayer: number;
  /** The floor no plan can beat: the largest sum of live buffer sizes at one step. */
  readonly liveBytesMax: number;
}

const alignUp = (x: number, a: number) => Math.ceil(x / a) * a;
const overlapsInTime = (a: TensorLifetime, b: TensorLifetime) => a.first <= b.last && b.first <= a.last;

export function planArena(buffers: readonly TensorLifetime[], opts: PlanOptions = {}): ArenaPlan {
  const alignment = opts.alignment ?? 16;
  // Deterministic order: size desc, then longer lifetime first, then name.
  const order = [...buffers].sort((a, b) => b.size - a.size || (b.last - b.first) - (a.last - a.first) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const placed: { buf: TensorLifetime; offset: number }[] = [];
  const offsets = new Map<string, number>();
  for (const buf of order) {
    const conflicts = placed.filter((p) => overlapsInTime(p.buf, buf)).sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const c of conflicts) {
      if (offset + buf.size <= c.offset) break; // fits in the gap below c
      offset = Math.max(offset, alignUp(c.offset + c.buf.size, alignment));
    }
    placed.push({ buf, offset });
    offsets.set(buf.name, offset);
    for (const m of buf.members) offsets.set(m, offset);
  }
  checkPlan(buffers, offsets);
  const peakBytes = placed.reduce((m, p) => Math.max(m, p.offset + p.buf.size), 0);
  const steps = buffers.reduce((m, b) => Math.max(m, b.last + 1), 0);
  let peakLayer = 0;
  let liveBytesMax = 0;
  let bestLive = -1;
  for (let s = 0; s < steps; s++) {
    const live = placed.filter((p) => p.buf.first <= s && s <= p.buf.last);
    const end = live.reduce((m, p) => Math.max(m, p.offset + p.buf.size), 0);
    const liveBytes = live.reduce((t, p) => t + p.buf.size, 0);
    if (end === peakBytes && liveBytes > bestLive) {
      bestLive = liveBytes;
      peakLayer = s;
    }
    liveBytesMax = Math.max(liveBytesMax, liveBytes);
  }
  return { offsets, buffers, peakBytes, peakLayer, liveBytesMax };
}

/** Throws if two buffers alive at a common step overlap in the arena (or one is unplaced / misaligned). */
export function checkPlan(buffers: readonly TensorLifetime[], offsets: ReadonlyMap<string, number>, alignment = 1): void {
  for (const b of buffers) {
    const o = offsets.get(b.name);
    if (o === undefined || o < 0 || !Number.isInteger(o)) throw new Error(`arena plan: buffer '${b.name}' has no valid offset`);
    if (o % alignment !== 0) throw new Error(`arena plan: buffer '${b.name}' at ${o} is not ${alignment}-aligned`);
  }
  for (let i = 0; i < buffers.length; i++) {
    for (let j = i + 1; j < buffers.length; j++) {
      const a = buffers[i], b = buffers[j];
      if (!overlapsInTime(a, b)) continue;
      const oa = offsets.get(a.name)!, ob = offsets.get(b.name)!;
      if (oa < ob + b.size && ob < oa + a.size) {
        throw new Error(
          `arena plan: '${a.name}' [${oa}, ${oa + a.size}) and '${b.name}' [${ob}, ${ob + b.size}) overlap while both alive (steps ${Math.max(a.first, b.first)}–${Math.min(a.last, b.last)})`,
        );
      }
    }
  }
}
