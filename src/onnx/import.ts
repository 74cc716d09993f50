/**
 * ONNX file → Graph. Decodes the ModelProto, turns initializers and Constant nodes into constants,
 * normalizes opset-dependent ops (see normalize.ts), names unnamed nodes, orders nodes
 * topologically, then infers every shape and verifies the graph. Every problem with the file is a
 * one-line UserError that names the file and the node, input or tensor at fault.
 */
import { basename, dirname, resolve } from 'node:path';
import type { Attr, Graph, GraphMeta, Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, int64Tensor } from '../ir/tensor.js';
import { inferShapes } from '../graph/infer.js';
import { verifyGraph } from '../graph/verify.js';
import { isSupportedOnnxOp } from '../ops/registry.js';
import { UserError } from '../util/errors.js';
import { readInputFile } from '../util/input_files.js';
import { attrsFromProto } from './proto/attributes.js';
import { decodeModel, defaultOpset } from './decode.js';
import { normalizeNode } from './normalize.js';
import type { GraphProto, NodeProto, ValueInfoProto } from './proto/proto.js';
import { dtypeOfOnnx, int64ToNumber, onnxTypeName } from './proto/proto.js';
import { tensorFromProto } from './proto/tensor_proto.js';
import { topologicalOrder } from './toposort.js';

export interface ImportOptions {
  /** Folder that external-data locations are relative to (the model's folder). */
  readonly baseDir?: string;
  /** The file name or path for messages and meta.source. */
  readonly source?: string;
}

/** Reads and imports an ONNX file; external data is read relative to the file's folder. */
export function importOnnx(path: string): Graph {
  return importOnnxBytes(readInputFile(path, 'model'), { baseDir: dirname(resolve(path)), source: path });
}

export function importOnnxBytes(bytes: Uint8Array, opts: ImportOptions = {}): Graph {
  const source = opts.source ?? 'model';
  const model = decodeModel(bytes, source);
  const opset = defaultOpset(model, source);
  const gp = model.graph!;
  checkSupportedOps(gp.node ?? [], source);

  const constants = readConstants(gp, source, opts.baseDir);
  const inputInfos = readInputs(gp.input ?? [], constants, source);

  // Constant nodes become constants; what remains are the computing nodes.
  const nodes: Node[] = [];
  for (const [np, name] of nameNodes(gp.node ?? [])) {
    const node = readNode(np, name, source, opts.baseDir);
    if (node.op !== 'Constant') {
      nodes.push(node);
      continue;
    }
    const out = node.outputs[0] ?? '';
    if (constants.has(out) || inputInfos.has(out)) {
      const by = constants.has(out) ? 'an initializer or another Constant' : 'a graph input';
      throw new UserError(`${source}: node '${node.name}' (Constant) output '${out}' is already defined by ${by}`);
    }
    constants.set(out, constantNodeValue(node, source));
  }
  const outputs = (gp.output ?? []).map((o) => o.name ?? '');
  checkDefinitions(nodes, [...inputInfos.keys()], constants, outputs, source);

  const used = new Set<string>(outputs);
  for (const n of nodes) for (const i of n.inputs) if (i) used.add(i);
  const declaredRank = declaredRanks(gp, inputInfos, constants);
  const normalized = nodes.map((n) =>
    normalizeNode(n, {
      opset,
      constant: (name) => constants.get(name),
      rank: (name) => declaredRank.get(name),
      isUsed: (name) => used.has(name),
      where: (node) => `${source}: node '${node.name}' (${node.op})`,
    }),
  );
  const ordered = topologicalOrder(normalized, source);

  // Constants only normalization read (Clip bounds, Pad pads, axes) are no longer referenced.
  const referenced = new Set<string>(outputs);
  for (const n of ordered) for (const i of n.inputs) if (i) referenced.add(i);
  const liveConstants = new Map([...constants].filter(([name]) => referenced.has(name)));

  const values = new Map<string, ValueInfo>(inputInfos);
  for (const [name, t] of liveConstants) values.set(name, { dtype: t.dtype, shape: t.shape });
  const inputs = [...inputInfos.keys()];
  const producer = [model.producerName, model.producerVersion].filter(Boolean).join(' ');
  const meta: GraphMeta = {
    opset,
    ...(producer ? { producer } : {}),
    source,
    ...inputLayout(inputs, inputInfos, ordered),
  };
  const graph: Graph = {
    name: gp.name || basename(source).replace(/\.onnx$/i, ''),
    inputs,
    outputs,
    nodes: ordered,
    constants: liveConstants,
    values,
    meta,
  };
  return withSource(source, () => {
    const inferred = inferShapes(graph);
    verifyGraph(inferred);
    return inferred;
  });
}

/** Runs `f`, prefixing the file name to any UserError that does not name it yet. */
function withSource<T>(source: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UserError && !e.message.startsWith(source)) throw new UserError(`${source}: ${e.message}`);
    throw e;
  }
}

/** Every unsupported op of the file, with its node names, in one message. */
function checkSupportedOps(nodes: readonly NodeProto[], source: string): void {
  const bad = new Map<string, string[]>();
  nodes.forEach((n, i) => {
    const domain = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : '';
    const op = n.opType ?? '';
    if (domain || !isSupportedOnnxOp(op)) {
      const key = `${domain}${op}`;
      const list = bad.get(key) ?? [];
      list.push(`'${n.name || `${op}_${i}`}'`);
      bad.set(key, list);
    }
  });
  if (bad.size === 0) return;
  const parts = [...bad].map(([op, names]) => `${op} (node${names.length > 1 ? 's' : ''} ${names.join(', ')})`);
  throw new UserError(`${source}: unsupported op${bad.size > 1 ? 's' : ''}: ${parts.join('; ')}`);
}

function readConstants(gp: GraphProto, source: string, baseDir: string | undefined): Map<string, Tensor> {
  const constants = new Map<string, Tensor>();
  for (const t of gp.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) throw new UserError(`${source}: an initializer has no name`);
    constants.set(name, tensorFromProto(t, `${source}: initializer '${name}'`, baseDir));
  }
  if ((gp.sparseInitializer ?? []).length > 0) throw new UserError(`${source}: sparse initializers are not supported`);
  return constants;
}

/**
 * Runtime inputs: graph inputs that are not initializers (older exporters list weights as inputs
 * too). A symbolic or unknown batch dimension becomes 1; any other unknown dimension is an error.
 */
function readInputs(list: readonly ValueInfoProto[], constants: ReadonlyMap<string, Tensor>, source: string): Map<string, ValueInfo> {
  const infos = new Map<string, ValueInfo>();
  for (const vi of list) {
    const name = vi.name ?? '';
    if (constants.has(name)) continue;
    const where = `${source}: graph input '${name}'`;
    const tt = vi.type?.tensorType;
    if (!tt) throw new UserError(`${where}: not a tensor input`);
    const dtype = dtypeOfOnnx(tt.elemType ?? 0);
    if (!dtype) throw new UserError(`${where}: unsupported data type ${onnxTypeName(tt.elemType ?? 0)}`);
    if (!tt.shape) throw new UserError(`${where}: no shape given (the model's input shape must be known)`);
    const shape = (tt.shape.dim ?? []).map((d, i) => {
      const known = d.dimValue !== undefined && d.dimValue !== null && !d.dimParam && int64ToNumber(d.dimValue) > 0;
      if (known) return int64ToNumber(d.dimValue);
      if (i === 0) return 1; // symbolic batch ('N', 'batch_size', 'unk__0') or 0/absent
      throw new UserError(`${where}: dimension ${i} is ${d.dimParam ? `symbolic '${d.dimParam}'` : 'unknown'}; only the batch dimension may be`);
    });
    infos.set(name, { dtype, shape });
  }
  return infos;
}

/** [node, name] pairs: unnamed nodes get opType_index, and repeated names get a suffix. */
function nameNodes(nodes: readonly NodeProto[]): [NodeProto, string][] {
  const taken = new Set<string>(nodes.map((n) => n.name ?? '').filter(Boolean));
  const seen = new Set<string>();
  return nodes.map((n, i) => {
    let name = n.name || `${n.opType}_${i}`;
    if (seen.has(name) || (!n.name && taken.has(name))) {
      let k = 1;
      while (taken.has(`${name}_${k}`) || seen.has(`${name}_${k}`)) k++;
      name = `${name}_${k}`;
    }
    seen.add(name);
    taken.add(name);
    return [n, name];
  });
}

function readNode(np: NodeProto, name: string, source: string, baseDir: string | undefined): Node {
  const op = np.opType ?? '';
  const attrs = attrsFromProto(np.attribute, `${source}: node '${name}' (${op})`, baseDir);
  // origin keeps the file's own name even when a repeated name had to be made unique here.
  return { name, op, inputs: [...(np.input ?? [])], outputs: [...(np.output ?? [])], attrs, origin: [np.name || name] };
}

function constantNodeValue(node: Node, source: string): Tensor {
  const where = `${source}: node '${node.name}' (Constant)`;
  if (node.outputs.length !== 1 || !node.outputs[0]) throw new UserError(`${where}: needs exactly one output`);
  const a: Readonly<Record<string, Attr>> = node.attrs;
  if (a.value !== undefined) {
    if (typeof a.value !== 'object' || Array.isArray(a.value)) throw new UserError(`${where}: attribute 'value' is not a tensor`);
    return a.value as Tensor;
  }
  if (typeof a.value_float === 'number') return floatTensor([], Float32Array.of(a.value_float));
  if (Array.isArray(a.value_floats)) return floatTensor([a.value_floats.length], Float32Array.from(a.value_floats as number[]));
  if (typeof a.value_int === 'number') return int64Tensor([a.value_int], []);
  if (Array.isArray(a.value_ints)) return int64Tensor(a.value_ints as number[]);
  const kinds = Object.keys(a).join(', ') || 'none';
  throw new UserError(`${where}: unsupported value attribute (${kinds}); supported: value, value_float(s), value_int(s)`);
}

/** Every input names a graph input, a constant or a node output; every tensor has one producer. */
function checkDefinitions(
  nodes: readonly Node[],
  inputs: readonly string[],
  constants: ReadonlyMap<string, Tensor>,
  outputs: readonly string[],
  source: string,
): void {
  const defined = new Set<string>([...inputs, ...constants.keys()]);
  const producedBy = new Map<string, string>();
  for (const n of nodes) {
    for (const o of n.outputs) {
      if (!o) continue;
      const other = producedBy.get(o);
      const prior = other !== undefined ? `node '${other}'` : constants.has(o) ? 'an initializer' : defined.has(o) ? 'a graph input' : undefined;
      if (prior !== undefined) throw new UserError(`${source}: node '${n.name}' (${n.op}) output '${o}' is already defined by ${prior}`);
      producedBy.set(o, n.name);
    }
  }
  for (const n of nodes) {
    n.inputs.forEach((i, k) => {
      if (i && !defined.has(i) && !producedBy.has(i)) {
        throw new UserError(`${source}: node '${n.name}' (${n.op}) input ${k} '${i}' is not defined (no initializer, graph input or node output has that name)`);
      }
    });
  }
  for (const o of outputs) {
    if (!defined.has(o) && !producedBy.has(o)) throw new UserError(`${source}: graph output '${o}' is not produced by any node`);
  }
}

/** Ranks the file states (value_info, inputs, constants): only Pad with an axes input needs them. */
function declaredRanks(gp: GraphProto, inputs: ReadonlyMap<string, ValueInfo>, constants: ReadonlyMap<string, Tensor>): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const vi of [...(gp.valueInfo ?? []), ...(gp.output ?? [])]) {
    const dims = vi.type?.tensorType?.shape?.dim;
    if (vi.name && dims) ranks.set(vi.name, dims.length);
  }
  for (const [name, v] of inputs) ranks.set(name, v.shape.length);
  for (const [name, t] of constants) ranks.set(name, t.shape.length);
  return ranks;
}

/** 'nhwc' when the only 4-D input feeds only Transpose(perm 0,3,1,2) nodes, as tf2onnx writes. */
function inputLayout(inputs: readonly string[], infos: ReadonlyMap<string, ValueInfo>, nodes: readonly Node[]): Pick<GraphMeta, 'inputLayout'> {
  const images = inputs.filter((i) => infos.get(i)?.shape.length === 4);
  if (images.length !== 1) return {};
  const readers = nodes.filter((n) => n.inputs.includes(images[0]));
  const toNchw = (n: Node): boolean => n.op === 'Transpose' && JSON.stringify(n.attrs.perm) === '[0,3,1,2]';
  return { inputLayout: readers.length > 0 && readers.every(toNchw) ? 'nhwc' : 'nchw' };
}
