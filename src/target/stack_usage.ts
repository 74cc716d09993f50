/**
 * Worst-case stack depth of a function (model_run, peer_model_run) from what gcc writes with
 * -fstack-usage -fcallgraph-info=su: one .ci file per object (VCG graph: a node per function
 * defined there, labelled with its own frame size, "N bytes (static)"; a node per external callee;
 * an edge per call site). The depth of f is its frame plus the deepest of its callees, maximised
 * over every path (no recursion in this code; a cycle is an error). Functions gcc did not compile
 * (newlib memcpy/memset, libgcc division helpers) get their frame from the linked ELF's
 * disassembly: the sum of every push/stmdb sp!/vpush/sub sp in the function (an upper bound when
 * different paths push differently); they are leaves here.
 */
import { readFileSync } from 'node:fs';
import { TargetError } from './tools.js';

interface FnNode {
  readonly title: string;
  readonly name: string;
  readonly bytes: number;
  readonly qualifier: string;
  readonly callees: string[];
}

export interface StackReport {
  /** Worst-case bytes of stack used by the root and everything it calls. */
  readonly bytes: number;
  /** The deepest call chain, root first, with each frame's size. */
  readonly path: readonly { readonly name: string; readonly bytes: number }[];
  /** Callees with no .ci node and no prologue found (counted as 0). */
  readonly unknown: readonly string[];
  /** Functions whose frame gcc reports as dynamic. */
  readonly dynamic: readonly string[];
  /** Library callees whose frame came from the disassembly. */
  readonly fromDisassembly: readonly string[];
}

const NODE = /^node: \{ title: "([^"]+)" label: "([^"]*)"/;
const EDGE = /^edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"/;

export function parseCallGraphs(ciTexts: readonly string[]): Map<string, FnNode> {
  const nodes = new Map<string, FnNode>();
  const edges: [string, string][] = [];
  for (const text of ciTexts) {
    for (const line of text.split('\n')) {
      const n = NODE.exec(line);
      if (n) {
        const label = n[2].split('\\n');
        const size = /^(\d+) bytes \(([^)]*)\)$/.exec(label[label.length - 1] ?? '');
        if (size) nodes.set(n[1], { title: n[1], name: label[0], bytes: Number(size[1]), qualifier: size[2], callees: [] });
        continue;
      }
      const e = EDGE.exec(line);
      if (e) edges.push([e[1], e[2]]);
    }
  }
  for (const [from, to] of edges) nodes.get(from)?.callees.push(to);
  return nodes;
}

/** Own frame sizes (upper bounds) of the named functions from `arm-none-eabi-objdump -d` text of the linked ELF. */
export function prologueFrames(objdump: string, names: ReadonlySet<string>): Map<string, number> {
  const frames = new Map<string, number>();
  let current: string | undefined;
  for (const line of objdump.split('\n')) {
    const head = /^[0-9a-f]+ <([^>]+)>:$/.exec(line);
    if (head) {
      current = names.has(head[1]) ? head[1] : undefined;
      if (current) frames.set(current, 0);
      continue;
    }
    if (!current) continue;
    const ins = line.split('\t').slice(2).join(' ').trim();
    let m = /^(?:push(?:\.w)?|stmdb(?:\.w)?\s+sp!,)\s*\{([^}]*)\}/.exec(ins);
    if (m) {
      frames.set(current, frames.get(current)! + 4 * countRegs(m[1]));
      continue;
    }
    m = /^vpush\s*\{([^}]*)\}/.exec(ins);
    if (m) {
      frames.set(current, frames.get(current)! + (m[1].includes('d') ? 8 : 4) * countRegs(m[1]));
      continue;
    }
    m = /^sub(?:\.w|w)?\s+sp,\s*(?:sp,\s*)?#(\d+)/.exec(ins);
    if (m) frames.set(current, frames.get(current)! + Number(m[1]));
  }
  return frames;
}

function countRegs(list: string): number {
  let n = 0;
  for (const part of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const r = /^([a-z]+)(\d+)-[a-z]+(\d+)$/.exec(part);
    n += r ? Number(r[3]) - Number(r[2]) + 1 : 1;
  }
  return n;
}

/**
 * Worst-case stack of `root` (a function name). ciFiles: the .ci files of every object linked;
 * objdump: disassembly of the linked ELF, for library callees.
 */
export function worstCaseStack(ciFiles: readonly string[], root: string, objdump: string): StackReport {
  const nodes = parseCallGraphs(ciFiles.map((f) => readFileSync(f, 'utf8')));
  const byName = new Map<string, FnNode[]>();
  for (const n of nodes.values()) byName.set(n.name, [...(byName.get(n.name) ?? []), n]);
  const resolve = (target: string): FnNode | undefined => nodes.get(target) ?? (byName.get(target) ?? []).reduce<FnNode | undefined>((a, b) => (!a || b.bytes > a.bytes ? b : a), undefined);
  const libraryNames = new Set<string>();
  const walkNames = (n: FnNode, seen: Set<string>) => {
    if (seen.has(n.title)) return;
    seen.add(n.title);
    for (const c of n.callees) {
      const r = resolve(c);
      if (r) walkNames(r, seen);
      else libraryNames.add(c);
    }
  };
  const rootNode = resolve(root);
  if (!rootNode) throw new TargetError(`stack usage: no call graph node for '${root}' (built without -fcallgraph-info=su?)`);
  walkNames(rootNode, new Set());
  const frames = prologueFrames(objdump, libraryNames);
  const unknown = [...libraryNames].filter((n) => !frames.has(n));
  const dynamic: string[] = [];
  const memo = new Map<string, { bytes: number; path: { name: string; bytes: number }[] }>();
  const depth = (n: FnNode, stack: string[]): { bytes: number; path: { name: string; bytes: number }[] } => {
    const hit = memo.get(n.title);
    if (hit) return hit;
    if (stack.includes(n.title)) throw new TargetError(`stack usage: recursion through ${[...stack, n.title].join(' -> ')}`);
    if (n.qualifier.includes('dynamic')) dynamic.push(`${n.name} (${n.qualifier})`);
    let best: { bytes: number; path: { name: string; bytes: number }[] } = { bytes: 0, path: [] };
    for (const c of n.callees) {
      const r = resolve(c);
      const sub = r ? depth(r, [...stack, n.title]) : { bytes: frames.get(c) ?? 0, path: [{ name: c, bytes: frames.get(c) ?? 0 }] };
      if (sub.bytes > best.bytes || best.path.length === 0) best = sub;
    }
    const result = { bytes: n.bytes + best.bytes, path: [{ name: n.name, bytes: n.bytes }, ...best.path] };
    memo.set(n.title, result);
    return result;
  };
  const r = depth(rootNode, []);
  return { bytes: r.bytes, path: r.path, unknown, dynamic, fromDisassembly: [...libraryNames].filter((n) => frames.has(n)) };
}
