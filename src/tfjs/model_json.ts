/**
 * model.json of a TF.js graph model, read and checked field by field. The file is
 *   { format: 'graph-model', generatedBy, convertedBy,
 *     modelTopology: GraphDef as protobuf JSON (MessageToDict): { node: [NodeDef], library, versions },
 *     weightsManifest: [{ paths: [shard files], weights: [{ name, shape, dtype, quantization? }] }],
 *     signature?: { inputs: { key: { name: 'node:0', dtype, tensorShape } }, outputs: { … } } }
 * Structure only: attribute values are decoded by attributes.ts, the manifest by weights.ts.
 * Every problem is a one-line UserError naming the file and the field.
 */
import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { readInputFile } from '../util/input_files.js';
import { signatureShape, type TfAttrValue } from './attributes.js';

export interface TfNode {
  readonly name: string;
  readonly op: string;
  /** Data inputs as written ('node', 'node:1'); control inputs ('^node') are removed. */
  readonly inputs: readonly string[];
  readonly attr: Readonly<Record<string, TfAttrValue>>;
}

/** One signature entry: the key ('input_1') and the tensor it names ('input_1:0'). */
export interface TfSignatureEntry {
  readonly key: string;
  readonly tensor: string;
  /** tensorShape as written (may hold -1 for unknown dims); undefined when absent. */
  readonly shape?: readonly number[];
}

export interface TfjsModelJson {
  /** The model.json path as the user gave it (resolved from a folder), for messages. */
  readonly file: string;
  /** The folder that shard paths are relative to. */
  readonly dir: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string;
  readonly nodes: readonly TfNode[];
  /** weightsManifest as written; weights.ts checks it. */
  readonly weightsManifest: unknown;
  readonly signature?: { readonly inputs: readonly TfSignatureEntry[]; readonly outputs: readonly TfSignatureEntry[] };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a missing path is reported when it is read
  }
}

/** The model.json a path designates: the file itself, or model.json inside a folder. */
export function modelJsonPath(path: string): string {
  return isDirectory(path) ? join(path, 'model.json') : path;
}

/** True for a .json file or a folder holding a model.json (whether or not it is a valid model). */
export function isTfjsModelPath(path: string): boolean {
  if (!isDirectory(path)) return /\.json$/i.test(path);
  try {
    return statSync(join(path, 'model.json')).isFile();
  } catch {
    return false;
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks model.json; `path` is the file or its folder. */
export function readModelJson(path: string): TfjsModelJson {
  const file = modelJsonPath(path);
  let bytes: Uint8Array;
  try {
    bytes = readInputFile(file, 'model');
  } catch (e) {
    if (file !== path && e instanceof UserError && /ENOENT/.test(e.message)) {
      throw new UserError(`${path}: no model.json in this folder (a TF.js graph model is a model.json plus its weight shards)`);
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (e) {
    throw new UserError(`${file}: malformed JSON (${(e as Error).message.split('\n')[0]})`);
  }
  return parseModelJson(json, file, dirname(resolve(file)));
}

/** Checks the structure of a parsed model.json (exported for tests that build models in memory). */
export function parseModelJson(json: unknown, file: string, dir: string): TfjsModelJson {
  if (!isObject(json)) throw new UserError(`${file}: not a TF.js model (the top level is not a JSON object)`);
  const format = json.format;
  if (format !== undefined && format !== 'graph-model') {
    const hint = format === 'layers-model' ? '; convert it with tensorflowjs_converter --output_format=tfjs_graph_model' : '';
    throw new UserError(`${file}: format '${String(format)}' is not a TF.js graph model (format 'graph-model')${hint}`);
  }
  const topology = json.modelTopology;
  if (!isObject(topology)) throw new UserError(`${file}: modelTopology is missing or not an object (not a TF.js graph model)`);
  if (!Array.isArray(topology.node)) {
    const layers = 'class_name' in topology || 'config' in topology ? ' (it looks like a Keras layers model)' : '';
    throw new UserError(`${file}: modelTopology.node is missing or not a list${layers}; only TF.js graph models are supported`);
  }
  if (json.weightsManifest === undefined) throw new UserError(`${file}: weightsManifest is missing`);
  const nodes = topology.node.map((n, i) => parseNode(n, `${file}: modelTopology.node[${i}]`));
  const seen = new Set<string>();
  for (const [i, n] of nodes.entries()) {
    if (seen.has(n.name)) throw new UserError(`${file}: modelTopology.node[${i}]: node name '${n.name}' is used twice`);
    seen.add(n.name);
  }
  const str = (k: string): string | undefined => (typeof json[k] === 'string' ? (json[k] as string) : undefined);
  return {
    file,
    dir,
    generatedBy: str('generatedBy'),
    convertedBy: str('convertedBy'),
    nodes,
    weightsManifest: json.weightsManifest,
    signature: json.signature === undefined ? undefined : parseSignature(json.signature, `${file}: signature`),
  };
}

function parseNode(n: unknown, where: string): TfNode {
  if (!isObject(n)) throw new UserError(`${where} is not an object`);
  if (typeof n.name !== 'string' || n.name === '') throw new UserError(`${where}: 'name' is missing or not a string`);
  const at = `${where} '${n.name}'`;
  if (typeof n.op !== 'string' || n.op === '') throw new UserError(`${at}: 'op' is missing or not a string`);
  const input = n.input ?? [];
  if (!Array.isArray(input) || input.some((i) => typeof i !== 'string' || i === '')) {
    throw new UserError(`${at}: 'input' is not a list of tensor names`);
  }
  const attr = n.attr ?? {};
  if (!isObject(attr) || Object.values(attr).some((a) => !isObject(a))) throw new UserError(`${at}: 'attr' is not an object of attribute values`);
  // '^name' is a control dependency: it orders execution, it carries no data.
  return { name: n.name, op: n.op, inputs: (input as string[]).filter((i) => !i.startsWith('^')), attr: attr as Record<string, TfAttrValue> };
}

function parseSignature(sig: unknown, where: string): TfjsModelJson['signature'] {
  if (!isObject(sig)) throw new UserError(`${where} is not an object`);
  const side = (key: 'inputs' | 'outputs'): TfSignatureEntry[] => {
    const m = sig[key] ?? {};
    if (!isObject(m)) throw new UserError(`${where}.${key} is not an object`);
    return Object.entries(m).map(([k, v]) => {
      if (!isObject(v) || typeof v.name !== 'string' || v.name === '') throw new UserError(`${where}.${key}.${k}: 'name' is missing or not a string`);
      return { key: k, tensor: v.name, shape: signatureShape(v.tensorShape, `${where}.${key}.${k}.tensorShape`) };
    });
  };
  return { inputs: side('inputs'), outputs: side('outputs') };
}

/** 'node:1' → ['node', 1]; 'node' → ['node', 0]. */
export function splitTensorRef(ref: string): [string, number] {
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? [m[1], Number(m[2])] : [ref, 0];
}

/** The model's name: its folder's name. */
export function modelName(model: TfjsModelJson): string {
  return basename(model.dir);
}
