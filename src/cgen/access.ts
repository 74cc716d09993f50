/**
 * A kernel's order of reads and writes, as the memory planner sees it (src/memory/overlap.ts uses
 * it to place a layer's output over its own input, and to replay a whole plan byte by byte).
 *
 * An op describes its kernel's order (src/ops/<op>.ts, attached to the CLayer) as steps in
 * execution order; each step reads byte ranges of the layer's input and writes byte ranges of its
 * output. The description is coarse where the C has several paths (DSP, Helium, portable): a step
 * covers a block that every path finishes before it touches the next, and a step whose reads and
 * writes interleave in some path is marked so (`readsFirst: false`): then none of its writes may
 * land on a byte any read of the same step touches. Several orders (e.g. a depthwise layer's row
 * and pixel paths, chosen per core at run time) must all be safe.
 *
 * Shifts: `shift` is output offset − input offset in the arena. The order may depend on it (the
 * pointwise kernel runs backward when its output starts above its input), so the op gives the
 * orders for a shift.
 */

/** Flattened byte ranges [start0, end0, start1, end1, …), relative to the tensor's first byte. */
export type Ranges = readonly number[];

export interface AccessStep {
  readonly reads: Ranges;
  readonly writes: Ranges;
}

export interface AccessOrder {
  /** The path this order describes (for messages), e.g. 'pointwise, 4-pixel blocks forward'. */
  readonly name: string;
  /** Every read of a step happens before any write of that step. */
  readonly readsFirst: boolean;
  steps(): Iterable<AccessStep>;
}

/** The orders a kernel may follow (all of them must be safe) when its output sits `shift` bytes from its input. */
export type AccessModel = (shift: number) => readonly AccessOrder[];
