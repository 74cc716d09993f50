/**
 * Overlapping placement (issue 11): from a kernel's access order (src/cgen/access.ts), the shifts
 * at which its output may sit over its own input, and the replay that proves a whole arena plan
 * safe byte by byte.
 */
import type { AccessModel, AccessOrder } from '../cgen/access.js';

/**
 * For every byte of the input: the index of the last step that reads it (−1: never read). With
 * readsFirst a step's writes may hit the bytes it reads itself, so they count as read one step
 * earlier.
 */
function lastReads(order: AccessOrder, inBytes: number): Int32Array {
  const last = new Int32Array(inBytes).fill(-1);
  let i = 0;
  const mark = order.readsFirst ? (j: number) => j - 1 : (j: number) => j;
  for (const s of order.steps()) {
    const at = mark(i);
    for (let k = 0; k < s.reads.length; k += 2) {
      const a = Math.max(0, s.reads[k]);
      const b = Math.min(inBytes, s.reads[k + 1]);
      for (let x = a; x < b; x++) last[x] = at;
    }
    i++;
  }
  return last;
}

/**
 * The first write of `order` that would land on input bytes a later (or, interleaved, the same)
 * step still reads when the output starts `shift` bytes from the input, as text; undefined when none.
 */
export function firstClobber(order: AccessOrder, inBytes: number, shift: number): string | undefined {
  const last = lastReads(order, inBytes);
  let i = 0;
  for (const s of order.steps()) {
    for (let k = 0; k < s.writes.length; k += 2) {
      const a = Math.max(s.writes[k] + shift, 0);
      const b = Math.min(s.writes[k + 1] + shift, inBytes);
      for (let x = a; x < b; x++) {
        if (last[x] >= i) return `${order.name}: step ${i} writes output byte ${x - shift} over input byte ${x}, which step ${order.readsFirst ? last[x] + 1 : last[x]} still reads`;
      }
    }
    i++;
  }
  return undefined;
}

/** Whether every order the model gives for `shift` is safe with the output at that shift. */
export function safeShift(model: AccessModel, inBytes: number, shift: number): boolean {
  return model(shift).every((o) => firstClobber(o, inBytes, shift) === undefined);
}

/**
 * The candidate shifts worth trying, from the orders' extremes: the largest shift at or below 0
 * where the forward-running order writes only below what it still reads (output under its input),
 * the smallest at or above 0 where a backward-running one writes only above (output over its
 * input), and 0 itself (a channel-preserving kernel, e.g. a strided depthwise layer, may write its
 * output exactly over the input it has consumed). Each is rounded to `alignment` away from the
 * input and verified by replay (safeShift); the ones that pass are returned.
 */
export function overlapShifts(model: AccessModel, inBytes: number, outBytes: number, alignment: number): number[] {
  const down = (x: number) => Math.floor(x / alignment) * alignment;
  const up = (x: number) => Math.ceil(x / alignment) * alignment;
  const candidates = new Set<number>([0]);
  // Below: shift + (highest byte written at step i) < (lowest input byte read at step ≥ i), for every i.
  for (const order of model(-alignment)) {
    candidates.add(down(extremeShift(order, inBytes, 'below')));
  }
  // Above: shift + (lowest byte written at step i) > (highest input byte read at step ≥ i).
  for (const order of model(alignment)) {
    candidates.add(up(extremeShift(order, inBytes, 'above')));
  }
  const useful = [...candidates].filter((d) => d > -outBytes && d < inBytes); // else no overlap at all
  return useful.filter((d) => safeShift(model, inBytes, d)).sort((a, b) => a - b);
}

/** The bound on the shift from one order's per-step extremes (see overlapShifts). */
function extremeShift(order: AccessOrder, inBytes: number, side: 'below' | 'above'): number {
  const steps = [...order.steps()];
  const n = steps.length;
  // needed[i]: the lowest (below) or highest (above) input byte read at step ≥ i (> i with readsFirst).
  const needed = new Float64Array(n + 1).fill(side === 'below' ? Infinity : -Infinity);
  for (let i = n - 1; i >= 0; i--) {
    let v = needed[i + 1];
    const r = steps[i].reads;
    for (let k = 0; k < r.length; k += 2) {
      if (r[k + 1] <= r[k]) continue;
      v = side === 'below' ? Math.min(v, Math.max(0, r[k])) : Math.max(v, Math.min(inBytes, r[k + 1]) - 1);
    }
    needed[i] = v;
  }
  let bound = side === 'below' ? Infinity : -Infinity;
  for (let i = 0; i < n; i++) {
    const w = steps[i].writes;
    const still = order.readsFirst ? needed[i + 1] : needed[i];
    for (let k = 0; k < w.length; k += 2) {
      if (w[k + 1] <= w[k]) continue;
      if (side === 'below') bound = Math.min(bound, still - w[k + 1]); // shift + (end − 1) < still
      else bound = Math.max(bound, still + 1 - w[k]); // shift + start > still
    }
  }
  return Number.isFinite(bound) ? bound : 0; // no step writes: any shift
}

/** One execution step of the whole plan, for the replay below. */
export interface PlanStep {
  readonly name: string;
  /** Arena offsets and sizes of what the step reads and writes (tensors outside the arena omitted). */
  readonly inputs: readonly { readonly tensor: string; readonly offset: number; readonly bytes: number }[];
  readonly outputs: readonly { readonly tensor: string; readonly offset: number; readonly bytes: number }[];
  readonly scratch?: { readonly offset: number; readonly bytes: number };
  /** The kernel's orders on input 0 → output 0 (absent: read everything, then write everything). */
  readonly access?: AccessModel;
}

/**
 * The mechanical proof of a plan: replays every step on a byte model of the arena (which tensor's
 * data each byte holds) and returns the first read of a byte that no longer holds the tensor the
 * step reads, as text (undefined: the plan is safe). `live` are the tensors in the arena before the
 * first step (the model input). Kernel scratch is taken as written first thing in its step.
 */
export function replayPlan(arenaBytes: number, live: readonly { tensor: string; offset: number; bytes: number }[], steps: readonly PlanStep[]): string | undefined {
  const ids = new Map<string, number>();
  const id = (t: string) => {
    let v = ids.get(t);
    if (v === undefined) ids.set(t, (v = ids.size + 1));
    return v;
  };
  const owner = new Int32Array(arenaBytes); // 0: nothing
  const fill = (offset: number, bytes: number, v: number) => owner.fill(v, offset, offset + bytes);
  for (const t of live) fill(t.offset, t.bytes, id(t.tensor));
  const SCRATCH = -1;
  for (const s of steps) {
    const check = (t: { tensor: string; offset: number }, from: number, to: number, o: Int32Array, what: string): string | undefined => {
      const want = id(t.tensor);
      for (let x = t.offset + from; x < t.offset + to; x++) {
        if (o[x] !== want) return `${s.name}: ${what} reads '${t.tensor}' byte ${x - t.offset} at arena ${x}, which holds ${o[x] === 0 ? 'nothing' : o[x] === SCRATCH ? 'scratch' : `'${[...ids].find(([, v]) => v === o[x])?.[0]}'`}`;
      }
      return undefined;
    };
    const orders = s.access && s.inputs.length > 0 && s.outputs.length > 0 ? s.access(s.outputs[0].offset - s.inputs[0].offset) : undefined;
    let after: Int32Array | undefined;
    for (const order of orders ?? [undefined]) {
      const o = owner.slice();
      if (s.scratch) o.fill(SCRATCH, s.scratch.offset, s.scratch.offset + s.scratch.bytes);
      if (order === undefined) {
        for (const t of s.inputs) {
          const e = check(t, 0, t.bytes, o, 'the step');
          if (e) return e;
        }
      } else {
        // input 0 → output 0 in the kernel's order; the other inputs (an add's second operand) read at the start
        for (const t of s.inputs.slice(1)) {
          const e = check(t, 0, t.bytes, o, order.name);
          if (e) return e;
        }
        const inT = s.inputs[0];
        const outT = s.outputs[0];
        const outId = id(outT.tensor);
        let i = 0;
        for (const st of order.steps()) {
          const pending: number[] = [];
          const write = (from: number, to: number) => o.fill(outId, outT.offset + from, outT.offset + to);
          for (let k = 0; k < st.reads.length; k += 2) {
            const e = check(inT, Math.max(0, st.reads[k]), Math.min(inT.bytes, st.reads[k + 1]), o, `${order.name} step ${i}`);
            if (e) return e;
          }
          for (let k = 0; k < st.writes.length; k += 2) pending.push(st.writes[k], st.writes[k + 1]);
          if (!order.readsFirst) {
            // interleaved: a write may come before the step's own reads, so none may land on them
            const mine = new Set<number>();
            for (let k = 0; k < st.reads.length; k += 2) for (let x = st.reads[k]; x < st.reads[k + 1]; x++) mine.add(inT.offset + x);
            for (let k = 0; k < pending.length; k += 2) {
              for (let x = outT.offset + pending[k]; x < outT.offset + pending[k + 1]; x++) {
                if (mine.has(x) && o[x] === id(inT.tensor)) return `${s.name}: ${order.name} step ${i} writes over input bytes the same step reads (arena ${x})`;
              }
            }
          }
          for (let k = 0; k < pending.length; k += 2) write(pending[k], pending[k + 1]);
          i++;
        }
      }
      // what every order leaves: the outputs written (an order's steps cover its output)
      for (const t of s.outputs) o.fill(id(t.tensor), t.offset, t.offset + t.bytes);
      after = o;
    }
    owner.set(after!);
  }
  return undefined;
}
