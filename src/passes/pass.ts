/** A graph pass: a named pure function Graph → Graph. It never mutates its input. */
import type { Graph } from '../ir/graph.js';

export interface Pass {
  /** snake_case, used in `--dump-after NAME` and in error messages. */
  readonly name: string;
  run(g: Graph): Graph;
}
