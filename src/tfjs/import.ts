/**
 * TF.js graph model (model.json + weight shards) → Graph, in the shape the ONNX importer gives:
 * ONNX op types with normalized attributes, NCHW inside, the graph input NHWC [1, H, W, C] (batch
 * −1 → 1) followed by a Transpose to NCHW as tf2onnx writes it (the nhwc_input pass folds it;
 * meta.inputLayout = 'nhwc'). Node names and origins are the TF node names; the graph is named
 * after the model's folder. Then every shape is inferred and the graph verified, as importOnnx
 * does. Every problem is a one-line UserError naming the file and the node or field.
 *
 *   model_json.ts  model.json structure        attributes.ts  AttrValue / TensorProto JSON
 *   weights.ts     manifest, shards, dequantization (files read by src/util/input_files.ts)
 *   ops.ts, ops_conv.ts  TF op → IR ops        layout.ts      NHWC ↔ NCHW, TF padding
 */
import type { Graph, GraphMeta, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { inferShapes } from '../graph/infer.js';
import { verifyGraph } from '../graph/verify.js';
import { UserError } from '../util/errors.js';
import { attrShape, attrTensor, attrType } from './attributes.js';
import { IrBuilder } from './builder.js';
import type { ConvertContext, TfValue } from './context.js';
import { NHWC_TO_NCHW } from './layout.js';
import type { TfNode, TfjsModelJson } from './model_json.js';
import { isTfjsModelPath, modelName, readModelJson, splitTensorRef } from './model_json.js';
import { CONVERTERS, STRUCTURAL_OPS, isSupportedTfOp } from './ops.js';
import { parseManifest, readWeights } from './weights.js';

export { isTfjsModelPath };

/** Imports a TF.js graph model; `path` is its model.json or the folder holding it. */
export function importTfjs(path: string): Graph {
  const model = readModelJson(path);
  checkSupportedOps(model);
  const weights = readWeights(parseManifest(model.weightsManifest, model.file), model.dir, model.file);
  return importParsed(model, weights, path);
}

/** The import proper, from a checked model.json and its decoded weights (by weight name). */
function importParsed(model: TfjsModelJson, weights: ReadonlyMap<string, Tensor>, source: string): Graph {
  const file = model.file;
  const byName = new Map(model.nodes.map((n) => [n.name, n]));
  const constants = constValues(model, weights);
  const inputNodes = graphInputs(model, byName);
  const outputRefs = graphOutputs(model, byName);
  const order = executionOrder(model, byName, outputRefs);
  const readers = readerCounts(order, outputRefs);

  const b = new IrBuilder(new Set(byName.keys()));
  const values = new Map<string, TfValue>();
  const constantCache = new Map<string, string>();
  for (const n of inputNodes) addInput(b, values, n, model);
  for (const node of order) {
    if (node.op === 'Const') values.set(refKey(node.name), { kind: 'const', tensor: constants.get(node.name)!, source: node.name });
    if (STRUCTURAL_OPS.has(node.op)) {
      if (node.op === 'Placeholder' && !values.has(refKey(node.name))) {
        throw new UserError(`${file}: node '${node.name}' (Placeholder) is needed for the outputs but is not a signature input`);
      }
      continue;
    }
    const ctx = new NodeContext(node, file, b, values, readers, constantCache);
    CONVERTERS[node.op](ctx);
    // Converters define output 0 (and say so when other outputs are read).
    for (let k = 0; k < MAX_TF_OUTPUTS; k++) {
      if (ctx.isRead(k) && !values.has(refKey(node.name, k))) {
        throw new UserError(`${ctx.where}: output ${k} is used, but only output 0 of this op is supported`);
      }
    }
  }

  const outputs = outputRefs.map((ref) => {
    const v = values.get(keyOfRef(ref));
    if (!v) throw new UserError(`${file}: graph output '${ref}' is not a tensor this model computes`);
    if (v.kind === 'const') throw new UserError(`${file}: graph output '${ref}' is a constant; a model must compute its output`);
    return v.name;
  });
  const referenced = new Set<string>(outputs);
  for (const n of b.nodes) for (const i of n.inputs) referenced.add(i);
  const images = b.inputs.filter((i) => b.info(i).shape.length === 4);
  const meta: GraphMeta = {
    producer: model.convertedBy ?? 'TensorFlow.js graph model',
    source,
    ...(images.length === 1 ? { inputLayout: 'nhwc' as const } : {}),
  };
  const graph: Graph = {
    name: modelName(model),
    inputs: [...b.inputs],
    outputs,
    nodes: [...b.nodes],
    constants: new Map([...b.constants].filter(([name]) => referenced.has(name))),
    values: new Map<string, ValueInfo>([...b.values].filter(([name]) => !b.constants.has(name) || referenced.has(name))),
    meta,
  };
  try {
    const inferred = inferShapes(graph);
    verifyGraph(inferred);
    return inferred;
  } catch (e) {
    if (e instanceof UserError && !e.message.startsWith(file)) throw new UserError(`${file}: ${e.message}`);
    throw e;
  }
}

/** More outputs than any supported TF op has (FusedBatchNormV3: 6). */
const MAX_TF_OUTPUTS = 8;

/** 'name:k' for a TF tensor reference ('name' means output 0). */
function refKey(name: string, k = 0): string {
  return `${name}:${k}`;
}

function keyOfRef(ref: string): string {
  return refKey(...splitTensorRef(ref));
}

/** Every unsupported op of the file, with its node names, in one line. */
function checkSupportedOps(model: TfjsModelJson): void {
  const bad = new Map<string, string[]>();
  for (const n of model.nodes) {
    if (isSupportedTfOp(n.op)) continue;
    bad.set(n.op, [...(bad.get(n.op) ?? []), `'${n.name}'`]);
  }
  if (bad.size === 0) return;
  const parts = [...bad].map(([op, names]) => `${op} (node${names.length > 1 ? 's' : ''} ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`);
  throw new UserError(`${model.file}: unsupported TF op${bad.size > 1 ? 's' : ''}: ${parts.join('; ')}`);
}

/**
 * The value of every Const node: the converter moves Const data to the weight shards (matched by
 * node name) and leaves dtype and shape in the node; inline data (tensorContent, *Val) is used
 * when there is no weight. Every manifest weight must belong to a Const node.
 */
function constValues(model: TfjsModelJson, weights: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  const file = model.file;
  for (const n of model.nodes) {
    if (n.op !== 'Const') continue;
    const where = `${file}: node '${n.name}' (Const)`;
    const declared = attrTensor(n.attr, 'value', where);
    const dtypeAttr = n.attr.dtype ? attrType(n.attr, 'dtype', where) : undefined;
    const w = weights.get(n.name);
    const value = w ?? declared.value;
    if (!value) throw new UserError(`${where}: no weight data (no weightsManifest entry named '${n.name}' and no inline value)`);
    if (value.dtype !== declared.dtype || value.shape.length !== declared.shape.length || value.shape.some((d, i) => d !== declared.shape[i])) {
      throw new UserError(`${where}: the weightsManifest entry is ${value.dtype} [${value.shape.join(', ')}] but the node declares ${declared.dtype} [${declared.shape.join(', ')}]`);
    }
    if (dtypeAttr !== undefined && !sameTfDtype(dtypeAttr, declared.dtype)) {
      throw new UserError(`${where}: attribute 'dtype' ${dtypeAttr} does not match its value's ${declared.dtype}`);
    }
    out.set(n.name, value);
  }
  for (const name of weights.keys()) {
    if (!out.has(name)) throw new UserError(`${file}: weightsManifest names weight '${name}', but no Const node of that name is in modelTopology.node`);
  }
  return out;
}

function sameTfDtype(tf: string, ir: string): boolean {
  return ({ DT_FLOAT: 'float32', DT_INT32: 'int32', DT_INT64: 'int64', DT_BOOL: 'bool' } as Record<string, string>)[tf] === ir;
}

/** The Placeholder nodes the signature names (all Placeholders when there is no signature). */
function graphInputs(model: TfjsModelJson, byName: ReadonlyMap<string, TfNode>): TfNode[] {
  if (!model.signature) return model.nodes.filter((n) => n.op === 'Placeholder');
  return model.signature.inputs.map((e) => {
    const [name] = splitTensorRef(e.tensor);
    const n = byName.get(name);
    if (!n) throw new UserError(`${model.file}: signature.inputs.${e.key} names '${e.tensor}', but there is no node '${name}'`);
    if (n.op !== 'Placeholder') throw new UserError(`${model.file}: signature.inputs.${e.key} names '${e.tensor}', a ${n.op} node, not a Placeholder`);
    return n;
  });
}

/** The tensors the signature names as outputs (else the outputs of nodes nobody reads). */
function graphOutputs(model: TfjsModelJson, byName: ReadonlyMap<string, TfNode>): string[] {
  if (model.signature && model.signature.outputs.length > 0) {
    return model.signature.outputs.map((e) => {
      const [name] = splitTensorRef(e.tensor);
      if (!byName.has(name)) throw new UserError(`${model.file}: signature.outputs.${e.key} names '${e.tensor}', but there is no node '${name}'`);
      return e.tensor;
    });
  }
  const read = new Set(model.nodes.flatMap((n) => n.inputs.map((i) => splitTensorRef(i)[0])));
  const outs = model.nodes.filter((n) => !read.has(n.name) && !STRUCTURAL_OPS.has(n.op)).map((n) => n.name);
  if (outs.length === 0) throw new UserError(`${model.file}: no output: no signature and every node's output is read by another node`);
  return outs;
}

/** The nodes the outputs need, each after its inputs (GraphDef order is not guaranteed). */
function executionOrder(model: TfjsModelJson, byName: ReadonlyMap<string, TfNode>, outputs: readonly string[]): TfNode[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: TfNode[] = [];
  for (const ref of outputs) {
    const root = byName.get(splitTensorRef(ref)[0])!;
    // Iterative depth-first search: [node, index of the next input to visit].
    const stack: [TfNode, number][] = [[root, 0]];
    if (state.get(root.name) === 'done') continue;
    state.set(root.name, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [n, k] = top;
      if (k === n.inputs.length) {
        stack.pop();
        state.set(n.name, 'done');
        order.push(n);
        continue;
      }
      top[1]++;
      const [dep] = splitTensorRef(n.inputs[k]);
      const d = byName.get(dep);
      if (!d) throw new UserError(`${model.file}: node '${n.name}' (${n.op}) input ${k} '${n.inputs[k]}' names no node`);
      const s = state.get(dep);
      if (s === 'visiting') throw new UserError(`${model.file}: node '${n.name}' (${n.op}) is on a cycle (through '${dep}')`);
      if (s === 'done') continue;
      state.set(dep, 'visiting');
      stack.push([d, 0]);
    }
  }
  return order;
}

/** How many times each TF tensor ('name:k') is read by the needed nodes, graph outputs counted. */
function readerCounts(order: readonly TfNode[], outputs: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  const bump = (ref: string): void => {
    const k = keyOfRef(ref);
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  for (const n of order) n.inputs.forEach(bump);
  outputs.forEach(bump);
  return m;
}

/** A Placeholder as the graph input (batch −1 → 1); a rank-4 (NHWC) one is followed by a Transpose to NCHW. */
function addInput(b: IrBuilder, values: Map<string, TfValue>, n: TfNode, model: TfjsModelJson): void {
  const where = `${model.file}: node '${n.name}' (Placeholder)`;
  const dtype = attrType(n.attr, 'dtype', where, 'DT_FLOAT');
  if (dtype !== 'DT_FLOAT') throw new UserError(`${where}: input dtype ${dtype} is not supported (float32 only)`);
  const sig = model.signature?.inputs.find((e) => splitTensorRef(e.tensor)[0] === n.name);
  const declared = attrShape(n.attr, 'shape', where) ?? sig?.shape;
  if (!declared) throw new UserError(`${where}: the input shape is unknown (no 'shape' attribute or signature tensorShape)`);
  const shape = declared.map((d, i) => {
    if (d >= 1) return d;
    if (i === 0) return 1; // dynamic batch
    throw new UserError(`${where}: dimension ${i} of [${declared.join(', ')}] is unknown; only the batch dimension may be`);
  });
  b.input(n.name, { dtype: 'float32', shape });
  if (shape.length !== 4) {
    values.set(refKey(n.name), { kind: 'runtime', name: n.name });
    return;
  }
  const t = b.fresh(`${n.name}/nchw`);
  b.add({ op: 'Transpose', name: t, inputs: [n.name], output: t, attrs: { perm: [...NHWC_TO_NCHW] }, origin: [n.name] }, where);
  values.set(refKey(n.name), { kind: 'runtime', name: t });
}

class NodeContext implements ConvertContext {
  readonly where: string;

  constructor(
    readonly node: TfNode,
    file: string,
    readonly b: IrBuilder,
    private readonly values: Map<string, TfValue>,
    private readonly readers: ReadonlyMap<string, number>,
    /** '<TF const>\0<layout>' → IR constant: a constant converted the same way is stored once. */
    private readonly constantCache: Map<string, string>,
  ) {
    this.where = `${file}: node '${node.name}' (${node.op})`;
  }

  input(k: number, what: string): TfValue {
    const ref = this.node.inputs[k];
    if (ref === undefined) throw new UserError(`${this.where}: missing input ${k} (${what})`);
    const v = this.values.get(keyOfRef(ref));
    if (!v) throw new UserError(`${this.where}: input ${k} '${ref}' (${what}) is not an output this importer produces`);
    return v;
  }

  runtime(k: number, what: string): string {
    const v = this.input(k, what);
    if (v.kind === 'const') throw new UserError(`${this.where}: input ${k} '${this.node.inputs[k]}' (${what}) is a constant; a computed tensor is expected`);
    return v.name;
  }

  constant(k: number, what: string): Tensor {
    const v = this.input(k, what);
    if (v.kind !== 'const') throw new UserError(`${this.where}: input ${k} '${this.node.inputs[k]}' (${what}) is computed at run time; only a constant is supported`);
    return v.tensor;
  }

  irConstant(k: number, what: string, layout: string, convert?: (t: Tensor) => Tensor): string {
    const v = this.input(k, what);
    if (v.kind !== 'const') throw new UserError(`${this.where}: input ${k} '${this.node.inputs[k]}' (${what}) is computed at run time; only a constant is supported`);
    const key = `${v.source}\u0000${layout}`;
    const cached = this.constantCache.get(key);
    if (cached !== undefined) return cached;
    const name = convert ? this.b.constant(`${v.source}/${layout}`, convert(v.tensor)) : this.b.constant(v.source, v.tensor, true);
    this.constantCache.set(key, name);
    return name;
  }

  outputName(k = 0): string {
    return k === 0 ? this.b.own(this.node.name, 'tensor') : this.b.fresh(`${this.node.name}:${k}`);
  }

  helperName(suffix: string): string {
    return this.b.fresh(`${this.node.name}/${suffix}`);
  }

  define(k: number, v: TfValue): void {
    this.values.set(refKey(this.node.name, k), v);
  }

  isRead(k: number): boolean {
    return (this.readers.get(refKey(this.node.name, k)) ?? 0) > 0;
  }

  inputHasOnlyThisReader(k: number): boolean {
    return this.readers.get(keyOfRef(this.node.inputs[k])) === 1;
  }

  forgetInput(k: number): void {
    this.values.delete(keyOfRef(this.node.inputs[k]));
  }
}

