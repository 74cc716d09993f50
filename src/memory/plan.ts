/**
 * Arena planning: greedy by size (TFLite Micro's GreedyMemoryPlanner idea), with overlapping
 * placement. Links first tie an output's buffer to its input's at a relative offset its kernel's
 * access order was proven safe at (src/memory/access.ts): following the execution order, each link
 * joins the two buffers' clusters at the allowed shift that keeps the cluster smallest, unless that
 * would overlap two other buffers alive at the same step. Clusters (a lone buffer is one) are then
 * placed largest first, each at the lowest aligned offset where none of its buffers overlaps an
 * already placed buffer whose lifetime intersects its own. `checkPlan` verifies the result
 * independently: two buffers alive at the same step never share a byte, except a linked pair at
 * one of its proven shifts.
 */
import type { TensorLifetime } from './lifetimes.js';

/** An output buffer that may overlap its input buffer: output offset − input offset ∈ shifts. */
export interface OverlapLink {
  /** The input's buffer (it dies at `step`). */
  readonly from: string;
  /** The output's buffer (born at `step`). */
  readonly to: string;
  /** Step index of the layer. */
  readonly step: number;
  /** Shifts proven safe (aligned), best first or in any order. */
  readonly shifts: readonly number[];
}

export interface PlanOptions {
  /** Offset alignment in bytes (default 16: safe for any SIMD load on Cortex-M and hosts). */
  readonly alignment?: number;
  readonly links?: readonly OverlapLink[];
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
  /** The floor of a plan without overlaps: the largest sum of live buffer sizes at one step. */
  readonly liveBytesMax: number;
  /** The floor of any plan: the largest single buffer. */
  readonly largestBuffer: number;
  /** The links taken: output buffer over input buffer at `shift` (output offset − input offset). */
  readonly overlaps: readonly { readonly from: string; readonly to: string; readonly step: number; readonly shift: number }[];
}

const alignUp = (x: number, a: number) => Math.ceil(x / a) * a;
const overlapsInTime = (a: TensorLifetime, b: TensorLifetime) => a.first <= b.last && b.first <= a.last;
const overlapsInSpace = (oa: number, a: TensorLifetime, ob: number, b: TensorLifetime) => oa < ob + b.size && ob < oa + a.size;
const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

interface Cluster {
  members: { buf: TensorLifetime; rel: number }[];
}

const span = (c: Cluster) => Math.max(...c.members.map((m) => m.rel + m.buf.size)) - Math.min(...c.members.map((m) => m.rel));

/** Joins buffers into clusters along the links (see above); returns the clusters and the links taken. */
function buildClusters(buffers: readonly TensorLifetime[], links: readonly OverlapLink[], allowed: ReadonlySet<string>) {
  const clusterOf = new Map<string, Cluster>();
  for (const b of buffers) clusterOf.set(b.name, { members: [{ buf: b, rel: 0 }] });
  const taken: { from: string; to: string; step: number; shift: number }[] = [];
  for (const link of [...links].sort((a, b) => a.step - b.step)) {
    const A = clusterOf.get(link.from);
    const B = clusterOf.get(link.to);
    if (!A || !B || A === B) continue;
    const relFrom = A.members.find((m) => m.buf.name === link.from)!.rel;
    const relTo = B.members.find((m) => m.buf.name === link.to)!.rel;
    let best: { delta: number; span: number; shift: number } | undefined;
    for (const shift of link.shifts) {
      const delta = relFrom + shift - relTo;
      const clash = A.members.some((a) => B.members.some((b) =>
        overlapsInTime(a.buf, b.buf) && overlapsInSpace(a.rel, a.buf, b.rel + delta, b.buf) && !allowed.has(pairKey(a.buf.name, b.buf.name)) && !allowed.has(pairKey(b.buf.name, a.buf.name))));
      if (clash) continue;
      const merged = span({ members: [...A.members, ...B.members.map((b) => ({ buf: b.buf, rel: b.rel + delta }))] });
      if (!best || merged < best.span || (merged === best.span && Math.abs(shift) < Math.abs(best.shift))) best = { delta, span: merged, shift };
    }
    if (!best) continue;
    for (const b of B.members) {
      A.members.push({ buf: b.buf, rel: b.rel + best.delta });
      clusterOf.set(b.buf.name, A);
    }
    taken.push({ from: link.from, to: link.to, step: link.step, shift: best.shift });
  }
  const clusters = [...new Set(clusterOf.values())];
  for (const c of clusters) {
    const min = Math.min(...c.members.map((m) => m.rel));
    for (const m of c.members) m.rel -= min;
  }
  return { clusters, taken };
}

export function planArena(buffers: readonly TensorLifetime[], opts: PlanOptions = {}): ArenaPlan {
  const alignment = opts.alignment ?? 16;
  const links = opts.links ?? [];
  for (const l of links) {
    if (l.shifts.some((d) => d % alignment !== 0)) throw new Error(`arena plan: link ${l.from} -> ${l.to} has a shift that is not ${alignment}-aligned`);
  }
  const allowedShifts = new Map(links.map((l) => [pairKey(l.from, l.to), l.shifts] as const));
  const { clusters, taken } = buildClusters(buffers, links, new Set(allowedShifts.keys()));
  // Deterministic order: span desc, then size of the largest member, then longer lifetime, then name.
  const key = (c: Cluster) => c.members.map((m) => m.buf.name).sort()[0];
  const life = (c: Cluster) => Math.max(...c.members.map((m) => m.buf.last)) - Math.min(...c.members.map((m) => m.buf.first));
  const order = clusters.sort((a, b) => span(b) - span(a) || life(b) - life(a) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const placed: { buf: TensorLifetime; offset: number }[] = [];
  const offsets = new Map<string, number>();
  for (const c of order) {
    // Candidate bases: 0, and every base that puts one member right after a conflicting placed buffer.
    const candidates = new Set<number>([0]);
    for (const m of c.members) {
      for (const p of placed) {
        if (overlapsInTime(p.buf, m.buf)) candidates.add(Math.max(0, alignUp(p.offset + p.buf.size - m.rel, alignment)));
      }
    }
    const base = [...candidates].sort((a, b) => a - b).find((x) =>
      c.members.every((m) => placed.every((p) => !overlapsInTime(p.buf, m.buf) || !overlapsInSpace(x + m.rel, m.buf, p.offset, p.buf))))!;
    for (const m of c.members) {
      placed.push({ buf: m.buf, offset: base + m.rel });
      offsets.set(m.buf.name, base + m.rel);
      for (const t of m.buf.members) offsets.set(t, base + m.rel);
    }
  }
  checkPlan(buffers, offsets, 1, allowedShifts);
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
  const largestBuffer = buffers.reduce((m, b) => Math.max(m, b.size), 0);
  const overlaps = taken.filter((t) => {
    const a = buffers.find((b) => b.name === t.from)!, b = buffers.find((x) => x.name === t.to)!;
    return overlapsInSpace(offsets.get(t.from)!, a, offsets.get(t.to)!, b);
  });
  return { offsets, buffers, peakBytes, peakLayer, liveBytesMax, largestBuffer, overlaps };
}

/**
 * Throws if two buffers alive at a common step overlap in the arena (or one is unplaced / misaligned),
 * unless they are a linked pair (`allowed`: input buffer → output buffer → proven shifts) at one of
 * its shifts.
 */
export function checkPlan(buffers: readonly TensorLifetime[], offsets: ReadonlyMap<string, number>, alignment = 1,
  allowed: ReadonlyMap<string, readonly number[]> = new Map()): void {
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
      const ab = allowed.get(pairKey(a.name, b.name)), ba = allowed.get(pairKey(b.name, a.name));
      if ((ab && ab.includes(ob - oa)) || (ba && ba.includes(oa - ob))) continue;
      if (oa < ob + b.size && ob < oa + a.size) {
        throw new Error(
          `arena plan: '${a.name}' [${oa}, ${oa + a.size}) and '${b.name}' [${ob}, ${ob + b.size}) overlap while both alive (steps ${Math.max(a.first, b.first)}–${Math.min(a.last, b.last)})`,
        );
      }
    }
  }
}
