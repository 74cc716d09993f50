/**
 * The memory-planning stage: a lowered model's execution steps → where every tensor lives in one
 * static arena (RunnerPlan). Tensors the caller owns (the input buffer in its layout, the output)
 * stay outside the arena; depthwise layers that can run in place share their input's buffer.
 */
import { tensorLifetimes, type Step } from './lifetimes.js';
import { checkPlan, planArena, type ArenaPlan } from './plan.js';

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
  /** Tensors outside the arena: the caller's input (nhwc layout) and output. */
  readonly external: ReadonlySet<string>;
  readonly alignment: number;
  /** The execution steps the plan is for (the lowered model's). */
  readonly steps: readonly Step[];
}

export interface PlanMemoryOptions {
  /** Merge in-place depthwise layers (default true). */
  readonly inPlace?: boolean;
}

/** What the planner needs of a lowered model (src/lower's LoweredModel has it). */
export interface PlanInput {
  readonly steps: readonly Step[];
  /** Bytes of every tensor a step reads or writes. */
  readonly tensorBytes: ReadonlyMap<string, number>;
  /** The caller's input buffer: the first layer's input, or its NCHW original copied into the arena. */
  readonly inputTensor: string;
  readonly inputNchwTensor?: string;
  readonly outputTensor: string;
}

export function planMemory(m: PlanInput, opts: PlanMemoryOptions = {}): RunnerPlan {
  const external = new Set<string>([m.inputNchwTensor ?? m.inputTensor, m.outputTensor]);
  const lt = tensorLifetimes(m.steps, { sizes: m.tensorBytes, outputs: [m.outputTensor], external, inPlace: opts.inPlace ?? true });
  const plan = planArena(lt.buffers, { alignment: ARENA_ALIGNMENT });
  return { plan, inPlaceSteps: lt.inPlaceSteps, external, alignment: ARENA_ALIGNMENT, steps: m.steps };
}

/** The stage's check: every buffer placed and aligned, no two live buffers overlapping. */
export function checkRunnerPlan(r: RunnerPlan): void {
  checkPlan(r.plan.buffers, r.plan.offsets, r.alignment);
}
