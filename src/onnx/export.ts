/**
 * Graph → ONNX ModelProto bytes, for any opset from 9 to 21. The inverse of the importer's
 * normalization (denormalize.ts) puts Clip bounds, Pad pads and Squeeze/Unsqueeze axes back where
 * the target opset wants them; ops the registry does not know (QuantizeLinear, ...) are written
 * as they are. Initializers go into raw_data (or, on request, the typed fields or an external file).
 */
import type { Graph, ValueInfo } from '../ir/graph.js';
import { attrToProto } from './proto/attributes.js';
import { MAX_OPSET, MIN_OPSET } from './decode.js';
import { denormalizeNode } from './denormalize.js';
import type { GraphProto, ModelProtoObject, TensorProto, ValueInfoProto } from './proto/proto.js';
import { externalDataEntries } from './proto/external_data.js';
import { onnx, onnxOfDtype } from './proto/proto.js';
import type { TensorStorage } from './proto/tensor_proto.js';
import { tensorToProto } from './proto/tensor_proto.js';

export interface ExportOptions {
  /** Default-domain opset to write for (default: the graph's own, else 13). */
  readonly opset?: number;
  readonly producer?: string;
  /** Write the first dimension of inputs and outputs as this symbolic name (e.g. 'N'). */
  readonly batchDim?: string;
  /** Initializer data in raw_data (default) or in float_data/int64_data/int32_data. */
  readonly storage?: TensorStorage;
}

/** The IR version that goes with each opset (ONNX's versioning table). */
export function irVersionForOpset(opset: number): number {
  if (opset <= 8) return 3;
  if (opset === 9) return 4;
  if (opset === 10) return 5;
  if (opset === 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

export function exportOnnx(g: Graph, opts: ExportOptions = {}): Uint8Array {
  return encodeModel(graphToModelProto(g, opts));
}

/**
 * The model with the initializers of at least `minBytes` bytes (default 1024, as the onnx Python
 * package does) in a side file `location` relative to the model's folder, each 16-byte aligned.
 * Small tensors stay inline: onnxruntime needs shape operands (Reshape shape, Pad pads) in the
 * model itself. Returns the model bytes and the side file's bytes.
 */
export function exportOnnxWithExternalData(
  g: Graph,
  location: string,
  opts: ExportOptions & { readonly minBytes?: number } = {},
): { model: Uint8Array; data: Uint8Array } {
  const m = graphToModelProto(g, { ...opts, storage: 'raw' });
  const minBytes = opts.minBytes ?? 1024;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const initializers = (m.graph.initializer ?? []).map((t): TensorProto => {
    const raw = t.rawData ?? new Uint8Array();
    if (raw.length < minBytes) return t;
    const pad = (16 - (offset % 16)) % 16;
    chunks.push(new Uint8Array(pad), raw);
    offset += pad;
    const ext = {
      name: t.name,
      dims: t.dims,
      dataType: t.dataType,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: externalDataEntries(location, offset, raw.length),
    };
    offset += raw.length;
    return ext;
  });
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return { model: encodeModel({ ...m, graph: { ...m.graph, initializer: initializers } }), data };
}

export function encodeModel(m: ModelProtoObject): Uint8Array {
  return onnx.ModelProto.encode(m).finish();
}

/** The ModelProto as a plain object, for callers (fixtures) that want to restyle it before encoding. */
export function graphToModelProto(g: Graph, opts: ExportOptions = {}): ModelProtoObject & { graph: GraphProto } {
  const opset = opts.opset ?? g.meta.opset ?? 13;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new Error(`exportOnnx: opset ${opset} is outside ${MIN_OPSET}..${MAX_OPSET}`);
  }
  const taken = new Set<string>([...g.values.keys(), ...g.constants.keys(), ...g.nodes.map((n) => n.name)]);
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  const initializers: TensorProto[] = [...g.constants].map(([name, t]) => tensorToProto(name, t, opts.storage));
  const nodes = g.nodes.map((n) => {
    const d = denormalizeNode(n, { opset, values: g.values, fresh });
    for (const [name, t] of d.constants) initializers.push(tensorToProto(name, t, opts.storage));
    return {
      name: d.node.name,
      opType: d.node.op,
      domain: '',
      input: [...d.node.inputs],
      output: [...d.node.outputs],
      attribute: Object.entries(d.node.attrs)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => attrToProto(k, v)),
    };
  });
  const valueInfo = (name: string, batchDim: string | undefined): ValueInfoProto => {
    const v: ValueInfo | undefined = g.values.get(name);
    if (!v) throw new Error(`exportOnnx: no dtype/shape for '${name}'`);
    return {
      name,
      type: {
        tensorType: {
          elemType: onnxOfDtype(v.dtype),
          shape: { dim: v.shape.map((d, i) => (i === 0 && batchDim ? { dimParam: batchDim } : { dimValue: d })) },
        },
      },
    };
  };
  return {
    irVersion: irVersionForOpset(opset),
    producerName: opts.producer ?? 'onnx2mcu',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: g.name,
      node: nodes,
      initializer: initializers,
      input: g.inputs.map((i) => valueInfo(i, opts.batchDim)),
      output: g.outputs.map((o) => valueInfo(o, opts.batchDim)),
    },
  };
}
