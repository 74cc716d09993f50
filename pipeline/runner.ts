/**
 * The pass runner: runs a list of passes in order, checks the IR after each one (verifyGraph:
 * order, definitions, shapes; and the graph outputs keep the shapes the model promised) and stops
 * at the first violation naming the pass. Optionally writes a text dump after one named pass (or
 * after every pass with 'all') to <dumpDir>/<NN>_<pass>.txt, NN the 1-based pass position.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../src/ir/graph.js';
import { sameShape, shapeToString } from '../src/ir/tensor.js';
import { verifyGraph } from '../src/graph/verify.js';
import { dumpGraph } from '../src/ir/dump.js';
import type { Pass } from '../src/passes/pass.js';
import { UserError } from '../src/util/errors.js';

export interface RunPassesOptions {
  /** A pass name, or 'all': write the graph after that pass (or every pass) as text. */
  readonly dumpAfter?: string;
  /** Where dumps go (default 'out/dump', relative to the working directory). */
  readonly dumpDir?: string;
}

/** A pass produced a graph that fails verification: a bug in the pass, not in the user's model. */
export class PassError extends Error {
  constructor(readonly pass: string, problem: string) {
    super(`pass '${pass}' produced an invalid graph: ${problem}`);
    this.name = 'PassError';
  }
}

export function runPasses(g: Graph, passes: readonly Pass[], opts: RunPassesOptions = {}): Graph {
  const dumpAfter = opts.dumpAfter;
  if (dumpAfter !== undefined && dumpAfter !== 'all' && !passes.some((p) => p.name === dumpAfter)) {
    throw new UserError(`--dump-after '${dumpAfter}': no such pass (passes: ${passes.map((p) => p.name).join(', ')}, or 'all')`);
  }
  const dumpDir = opts.dumpDir ?? join('out', 'dump');
  let current = g;
  passes.forEach((pass, index) => {
    const next = pass.run(current);
    try {
      verifyGraph(next);
    } catch (e) {
      throw new PassError(pass.name, e instanceof Error ? e.message : String(e));
    }
    checkOutputsKept(current, next, pass.name);
    if (dumpAfter === 'all' || dumpAfter === pass.name) {
      mkdirSync(dumpDir, { recursive: true });
      writeFileSync(join(dumpDir, `${String(index + 1).padStart(2, '0')}_${pass.name}.txt`), dumpGraph(next));
    }
    current = next;
  });
  return current;
}

/** The graph outputs (names, order, shapes) must be exactly what they were before the pass. */
function checkOutputsKept(before: Graph, after: Graph, pass: string): void {
  const same =
    before.outputs.length === after.outputs.length &&
    before.outputs.every((o, i) => {
      const a = before.values.get(o);
      const b = after.values.get(after.outputs[i]);
      return o === after.outputs[i] && a !== undefined && b !== undefined && sameShape(a.shape, b.shape);
    });
  if (!same) {
    const desc = (h: Graph): string => h.outputs.map((o) => `${o} ${shapeToString(h.values.get(o)?.shape ?? [])}`).join(', ');
    throw new PassError(pass, `graph outputs changed from ${desc(before)} to ${desc(after)}`);
  }
}
