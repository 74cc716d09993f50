/**
 * The memory-planning stage: a lowered model's execution steps → where every tensor lives in one
 * static arena (RunnerPlan). The model input lives in the arena too (the caller writes it through
 * <prefix>_input(), or <prefix>_run copies it in); the output is the caller's buffer. Depthwise
 * layers that can run in place share their input's buffer, and a layer whose kernel's access order
 * allows it writes its output over input it has already consumed (src/memory/overlap.ts); the whole
 * plan is then replayed on a byte model of the arena before it is accepted.
 */
import type { AccessModel } from '../cgen/access.js';
import { tensorLifetimes, type Step } from './lifetimes.js';
import { checkPlan, planArena, type ArenaPlan, type OverlapLink } from './plan.js';
import { overlapShifts, replayPlan, type PlanStep } from './overlap.js';
import { planStream, STREAM_BANDS, STREAM_STEP, streamableLayers, streamedSteps, type StreamPlan } from './stream.js';
import { UserError } from '../util/errors.js';

/**
 * Offsets in the arena are multiples of this, and the generated runner refuses a caller-owned
 * arena that is not aligned to it: word loads are what the kernels need on Cortex-M (LDR, LDRD and
 * MVE's VLDRW all want 4-byte alignment), and C99 can guarantee 4 (an int32_t array) without
 * compiler extensions.
 */
export const ARENA_ALIGNMENT = 4;

export interface RunnerPlan {
  readonly plan: ArenaPlan;
  readonly inPlaceSteps: ReadonlySet<string>;
  /** Tensors outside the arena: the caller's output. */
  readonly external: ReadonlySet<string>;
  readonly alignment: number;
  /** The execution steps the plan is for (the lowered model's). */
  readonly steps: readonly Step[];
  /** The tensor the caller writes before a run (in the arena). */
  readonly inputTensor: string;
  /** Bytes of every tensor (the plan's replay needs them). */
  readonly tensorBytes: ReadonlyMap<string, number>;
  /** Steps switched to their low-RAM kernel variant (the emitter prints those). */
  readonly lowRamSteps: ReadonlySet<string>;
  /**
   * The first layers run row by row (src/memory/stream.ts): the input is read from the caller a row
   * at a time and is not in the arena; `streamOffset` is where the stream block (windows, scratch) is.
   */
  readonly stream?: StreamPlan & { readonly streamOffset: number };
}

export interface PlanMemoryOptions {
  /** Merge in-place depthwise layers (default true). */
  readonly inPlace?: boolean;
  /** Place outputs over consumed input where the kernels' access orders allow it (default true). */
  readonly overlap?: boolean;
  /** Run this many leading layers row by row (default 0: every tensor whole)… */
  readonly streamLayers?: number;
  /** …each kernel call computing up to this many output rows (default 1). */
  readonly streamBand?: number;
  /** Replay the plan on the byte model before returning it (default true; a search checks the one it keeps). */
  readonly check?: boolean;
}

/** What the planner needs of a lowered model (src/lower's LoweredModel has it). */
export interface PlanInput {
  readonly steps: readonly Step[];
  /** Bytes of every tensor a step reads or writes. */
  readonly tensorBytes: ReadonlyMap<string, number>;
  /** The first layer's input (channels-last), in the arena. */
  readonly inputTensor: string;
  /** The caller's NCHW input when the runner takes NCHW: written by the caller, transposed by the first step. */
  readonly inputNchwTensor?: string;
  readonly outputTensor: string;
}

export function planMemory(m: PlanInput, opts: PlanMemoryOptions = {}): RunnerPlan {
  if (opts.streamLayers) return planStreamed(m, planStream(m, opts.streamLayers, opts.streamBand ?? 1), opts);
  // Where the step that sets the peak has a kernel variant with less scratch, try it; keep it if
  // the arena shrinks (a depthwise layer pixel by pixel instead of its row ring, for instance).
  let lowRam = new Set<string>();
  let best = planWith(m, opts, lowRam);
  for (let tries = 0; tries < m.steps.length; tries++) {
    const peak = best.steps[best.plan.peakLayer];
    if (!peak?.lowRam || lowRam.has(peak.name)) break;
    const trial = new Set([...lowRam, peak.name]);
    const r = planWith(m, opts, trial);
    if (r.plan.peakBytes >= best.plan.peakBytes) break;
    lowRam = trial;
    best = r;
  }
  return best;
}

/** The arena plan around a stream plan: its layers one step, the input outside the arena. */
function planStreamed(m: PlanInput, stream: StreamPlan, opts: PlanMemoryOptions): RunnerPlan {
  const r = planMemory({ ...m, steps: streamedSteps(m, stream), inputNchwTensor: undefined }, { ...opts, streamLayers: 0, check: false });
  const streamed: RunnerPlan = { ...r, inputTensor: m.inputNchwTensor ?? m.inputTensor, stream: { ...stream, streamOffset: r.plan.offsets.get(`scratch:${STREAM_STEP}`)! } };
  if (opts.check !== false) checkRunnerPlan(streamed);
  return streamed;
}

function planWith(m: PlanInput, opts: PlanMemoryOptions, lowRam: ReadonlySet<string>): RunnerPlan {
  const steps: Step[] = m.steps.map((s) => {
    if (!lowRam.has(s.name) || !s.lowRam) return s;
    const { scratchBytes: _scratch, access: _access, lowRam: variant, ...rest } = s;
    return { ...rest, ...(variant.scratchBytes ? { scratchBytes: variant.scratchBytes } : {}), ...(variant.access ? { access: variant.access } : {}) };
  });
  // The caller's output; and the input when the first step streams it in a row at a time.
  const external = new Set<string>([m.outputTensor, ...(steps[0]?.name === STREAM_STEP ? steps[0].inputs : [])]);
  const lt = tensorLifetimes(steps, { sizes: m.tensorBytes, outputs: [m.outputTensor], external, inPlace: opts.inPlace ?? true });
  const bufferOf = new Map<string, string>();
  for (const b of lt.buffers) for (const t of b.members) bufferOf.set(t, b.name);
  const links = opts.overlap === false ? [] : overlapLinks({ ...m, steps }, lt.buffers, bufferOf, lt.inPlaceSteps);
  const plan = planArena(lt.buffers, { alignment: ARENA_ALIGNMENT, links });
  const r: RunnerPlan = {
    plan, inPlaceSteps: lt.inPlaceSteps, external, alignment: ARENA_ALIGNMENT, steps, inputTensor: m.inputNchwTensor ?? m.inputTensor,
    tensorBytes: m.tensorBytes, lowRamSteps: lowRam,
  };
  if (opts.check !== false) checkRunnerPlan(r);
  return r;
}

/**
 * The links the planner may take: a step whose input dies there (not the graph output, not in
 * the same buffer already) and whose kernel declares its access order, at every shift the order
 * was proven safe at.
 */
function overlapLinks(m: PlanInput, buffers: readonly { name: string; last: number; first: number }[], bufferOf: ReadonlyMap<string, string>, inPlace: ReadonlySet<string>): OverlapLink[] {
  const links: OverlapLink[] = [];
  m.steps.forEach((s, i) => {
    if (!s.access || inPlace.has(s.name)) return;
    const input = s.inputs[0], output = s.outputs[0];
    const from = bufferOf.get(input), to = bufferOf.get(output);
    if (!from || !to || from === to || input === m.outputTensor) return;
    const fromBuf = buffers.find((b) => b.name === from)!;
    if (fromBuf.last !== i) return; // still read later: cannot be overwritten
    if (s.inputs.slice(1).some((t) => bufferOf.get(t) === from)) return;
    const shifts = overlapShifts(s.access as AccessModel, m.tensorBytes.get(input)!, m.tensorBytes.get(output)!, ARENA_ALIGNMENT);
    if (shifts.length) links.push({ from, to, step: i, shifts });
  });
  return links;
}

/**
 * The stage's check: every buffer placed and aligned, no two live buffers overlapping except a
 * linked pair at a proven shift, and the replay of every step's access order on a byte model of the
 * arena (no kernel reads a byte that something else overwrote).
 */
export function checkRunnerPlan(r: RunnerPlan): void {
  const tensorBytes = r.tensorBytes;
  const allowed = new Map(r.plan.overlaps.map((o) => [`${o.from}\u0000${o.to}`, [o.shift]] as const));
  checkPlan(r.plan.buffers, r.plan.offsets, r.alignment, allowed);
  const at = (t: string) => ({ tensor: t, offset: r.plan.offsets.get(t)!, bytes: tensorBytes.get(t)! });
  const inArena = (t: string) => !r.external.has(t) && r.plan.offsets.has(t);
  const steps: PlanStep[] = r.steps.map((s) => {
    const scratch = r.plan.offsets.get(`scratch:${s.name}`);
    const scratchBuf = r.plan.buffers.find((b) => b.name === `scratch:${s.name}`);
    return {
      name: s.name,
      inputs: s.inputs.filter(inArena).map(at),
      outputs: s.outputs.filter(inArena).map(at),
      ...(scratch !== undefined && scratchBuf ? { scratch: { offset: scratch, bytes: scratchBuf.size } } : {}),
      ...(s.access && inArena(s.inputs[0]) && inArena(s.outputs[0]) ? { access: s.access } : {}),
    };
  });
  const problem = replayPlan(r.plan.peakBytes, inArena(r.inputTensor) ? [at(r.inputTensor)] : [], steps);
  if (problem) throw new Error(`arena plan: ${problem}`);
}

/**
 * The plan for `convert --ram-limit`: the cheapest that fits, i.e. whole tensors when they fit, else
 * the fewest layers streamed row by row, with the largest band (rows per kernel call: fewer calls)
 * that fits; or a UserError saying what the smallest plan needs and which layer sets it. A cheap
 * floor (the largest tensor still whole; the stream block beside its output) skips the candidates
 * that can neither fit nor be the smallest, and only the plan returned is replayed byte by byte.
 */
export function planMemoryWithin(m: PlanInput, limitBytes: number, opts: PlanMemoryOptions = {}): RunnerPlan {
  let smallest: RunnerPlan | undefined;
  const start = m.inputNchwTensor ? 1 : 0;
  for (let n = 0; n <= streamableLayers(m); n++) {
    // every tensor the steps after the streamed ones read or write is whole in the arena (the model output is the caller's)
    const whole = Math.max(0, ...m.steps.slice(start + n).flatMap((s) => [...s.inputs, ...s.outputs]).filter((t) => t !== m.outputTensor).map((t) => m.tensorBytes.get(t) ?? 0));
    for (const band of n === 0 ? [1] : STREAM_BANDS) {
      const st = n === 0 ? undefined : planStream(m, n, band);
      const floor = Math.max(whole, st ? st.blockBytes + (m.tensorBytes.get(st.output) ?? 0) : 0);
      if (floor > limitBytes && smallest && floor >= smallest.plan.peakBytes) continue;
      // the stream plan made for the floor is the one planned (not made again)
      const r = st ? planStreamed(m, st, { ...opts, check: false }) : planMemory(m, { ...opts, check: false });
      if (r.plan.peakBytes <= limitBytes) {
        checkRunnerPlan(r);
        return r;
      }
      if (!smallest || r.plan.peakBytes < smallest.plan.peakBytes) smallest = r;
    }
  }
  const r = smallest!;
  const peak = r.steps[r.plan.peakLayer];
  const what = peak.name === STREAM_STEP ? `the ${r.stream!.layers.length} streamed layers writing '${r.stream!.output}'` : `layer '${peak.name}'`;
  const how = r.stream ? `with the first ${r.stream.layers.length} layers streamed row by row, ${r.stream.band} row${r.stream.band > 1 ? 's' : ''} per kernel call` : 'with every tensor whole';
  throw new UserError(`--ram-limit ${limitBytes}: no plan fits; the smallest arena is ${r.plan.peakBytes} bytes (${how}), set by ${what} at its peak`);
}
