/**
 * Orders nodes so that every node comes after the producers of its inputs. Files from some
 * exporters (and hand-edited ones) list nodes out of order; a cycle is an error naming its nodes.
 * Stable: a file already in order keeps its order, and otherwise ready nodes go in file order.
 */
import type { Node } from '../ir/graph.js';
import { UserError } from '../util/errors.js';

export function topologicalOrder(nodes: readonly Node[], source: string): Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));

  // deps[i]: how many distinct producing nodes node i waits for; users[j]: nodes waiting on j.
  const deps = new Array<number>(nodes.length).fill(0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const waitsOn = new Set<number>();
    for (const input of n.inputs) {
      const p = input ? producer.get(input) : undefined;
      if (p !== undefined) waitsOn.add(p);
    }
    deps[i] = waitsOn.size;
    for (const p of waitsOn) users[p].push(i);
  });

  // Kahn's algorithm with the ready set kept sorted by file position (a small binary heap).
  const heap: number[] = [];
  const push = (x: number): void => {
    heap.push(x);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent] <= heap[i]) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l] < heap[m]) m = l;
        if (r < heap.length && heap[r] < heap[m]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };

  deps.forEach((d, i) => d === 0 && push(i));
  const order: Node[] = [];
  while (heap.length > 0) {
    const i = pop();
    order.push(nodes[i]);
    for (const u of users[i]) if (--deps[u] === 0) push(u);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.filter((_, i) => deps[i] > 0).map((n) => `'${n.name}'`);
    const shown = stuck.length > 8 ? [...stuck.slice(0, 8), `… (${stuck.length} nodes)`] : stuck;
    throw new UserError(`${source}: the graph has a cycle; nodes on or after it: ${shown.join(', ')}`);
  }
  return order;
}
