/**
 * NodeDef attributes as the TF.js converter writes them (protobuf JSON of AttrValue, MessageToDict):
 *   { s: base64 bytes }            strings are base64: 'U0FNRQ==' = 'SAME'
 *   { i: '2' }                     int64 as a JSON string (a number is accepted too)
 *   { f: 0.001 }                   float32 ('NaN', 'Infinity', '-Infinity' as strings)
 *   { b: true }, { type: 'DT_FLOAT' }, { shape: { dim: [{ size: '-1' }] } }
 *   { list: { s: [...], i: [...], f: [...], type: [...] } }   an empty list is { list: {} }
 *   { tensor: TensorProto JSON }   Const values; the converter moves the data to the weight shards
 *                                  and leaves dtype and shape (inline data is decoded when present)
 * Readers take a `where` ("model.json: node 'x' (Op)") and throw a one-line UserError naming the
 * attribute when the value has the wrong kind.
 */
import type { DType, Tensor } from '../ir/tensor.js';
import { sizeOf } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';

export interface TfAttrValue {
  readonly s?: string;
  readonly i?: string | number;
  readonly f?: number | string;
  readonly b?: boolean;
  readonly type?: string;
  readonly shape?: unknown;
  readonly tensor?: unknown;
  readonly list?: { readonly s?: readonly string[]; readonly i?: readonly (string | number)[]; readonly f?: readonly (number | string)[]; readonly b?: readonly boolean[]; readonly type?: readonly string[] };
}

type Attrs = Readonly<Record<string, TfAttrValue>>;

function kindError(where: string, name: string, want: string, v: unknown): UserError {
  return new UserError(`${where}: attribute '${name}' is not ${want} (${JSON.stringify(v)})`);
}

/** A base64 `s` value as text; `fallback` when the attribute is absent. */
export function attrString(attrs: Attrs, name: string, where: string, fallback?: string): string {
  const v = attrs[name];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UserError(`${where}: missing attribute '${name}'`);
  }
  if (v.s === undefined) {
    // MessageToDict omits an empty string: { s: '' } is written as {}.
    if (Object.keys(v).length === 0) return '';
    throw kindError(where, name, 'a string', v);
  }
  return decodeBase64(v.s, where, name);
}

function base64Bytes(s: unknown, where: string, name: string): Uint8Array {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) {
    const shown = typeof s === 'string' && s.length > 40 ? `${s.slice(0, 40)}…` : String(s);
    throw new UserError(`${where}: attribute '${name}' holds '${shown}', which is not base64 (TF.js writes strings base64-encoded)`);
  }
  return Buffer.from(s, 'base64');
}

function decodeBase64(s: unknown, where: string, name: string): string {
  return Buffer.from(base64Bytes(s, where, name)).toString('utf8');
}

/** An int64 written as a JSON string ('2') or number. */
export function int64Value(v: unknown, where: string, what: string): number {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n)) throw new UserError(`${where}: ${what} '${String(v)}' is not an integer (int64 values are written as strings such as "2")`);
  return n;
}

/** A float32 value (JSON number or 'NaN' / 'Infinity' / '-Infinity'), rounded to float32 as TF stores it. */
export function float32Value(v: unknown, where: string, what: string): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (v === 'NaN') n = NaN;
  else if (v === 'Infinity') n = Infinity;
  else if (v === '-Infinity') n = -Infinity;
  else throw new UserError(`${where}: ${what} '${String(v)}' is not a number`);
  return Math.fround(n);
}

export function attrInt(attrs: Attrs, name: string, where: string, fallback?: number): number {
  const v = attrs[name];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UserError(`${where}: missing attribute '${name}'`);
  }
  if (v.i === undefined) {
    if (Object.keys(v).length === 0) return 0; // MessageToDict omits a zero
    throw kindError(where, name, 'an integer', v);
  }
  return int64Value(v.i, where, `attribute '${name}'`);
}

/** A float attribute: TF's AttrValue.f is float32, so 0.001 means Math.fround(0.001) (as ONNX stores it). */
export function attrFloat(attrs: Attrs, name: string, where: string, fallback?: number): number {
  const v = attrs[name];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UserError(`${where}: missing attribute '${name}'`);
  }
  if (v.f === undefined) {
    if (Object.keys(v).length === 0) return 0;
    throw kindError(where, name, 'a float', v);
  }
  return float32Value(v.f, where, `attribute '${name}'`);
}

export function attrBool(attrs: Attrs, name: string, where: string, fallback?: boolean): boolean {
  const v = attrs[name];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UserError(`${where}: missing attribute '${name}'`);
  }
  if (v.b === undefined) {
    if (Object.keys(v).length === 0) return false;
    throw kindError(where, name, 'a boolean', v);
  }
  if (typeof v.b !== 'boolean') throw kindError(where, name, 'a boolean', v);
  return v.b;
}

/** A DataType enum name ('DT_FLOAT'). */
export function attrType(attrs: Attrs, name: string, where: string, fallback?: string): string {
  const v = attrs[name];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UserError(`${where}: missing attribute '${name}'`);
  }
  if (typeof v.type !== 'string') throw kindError(where, name, 'a type', v);
  return v.type;
}

function attrList(attrs: Attrs, name: string, where: string): TfAttrValue['list'] | undefined {
  const v = attrs[name];
  if (v === undefined) return undefined;
  if (v.list === undefined || typeof v.list !== 'object' || v.list === null) throw kindError(where, name, 'a list', v);
  return v.list;
}

export function attrInts(attrs: Attrs, name: string, where: string, fallback?: readonly number[]): number[] {
  const l = attrList(attrs, name, where);
  if (l === undefined) {
    if (fallback !== undefined) return [...fallback];
    throw new UserError(`${where}: missing attribute '${name}'`);
  }
  const items = l.i ?? [];
  if (!Array.isArray(items)) throw kindError(where, name, 'a list of integers', l);
  return items.map((x, k) => int64Value(x, where, `attribute '${name}'[${k}]`));
}

export function attrStrings(attrs: Attrs, name: string, where: string, fallback?: readonly string[]): string[] {
  const l = attrList(attrs, name, where);
  if (l === undefined) {
    if (fallback !== undefined) return [...fallback];
    throw new UserError(`${where}: missing attribute '${name}'`);
  }
  const items = l.s ?? [];
  if (!Array.isArray(items)) throw kindError(where, name, 'a list of strings', l);
  return items.map((x) => decodeBase64(x, where, name));
}

export function attrFloats(attrs: Attrs, name: string, where: string, fallback?: readonly number[]): number[] {
  const l = attrList(attrs, name, where);
  if (l === undefined) {
    if (fallback !== undefined) return [...fallback];
    throw new UserError(`${where}: missing attribute '${name}'`);
  }
  const items = l.f ?? [];
  if (!Array.isArray(items)) throw kindError(where, name, 'a list of floats', l);
  return items.map((x, k) => float32Value(x, where, `attribute '${name}'[${k}]`));
}

/** A `shape` attribute: dims with -1 for unknown, undefined for unknown rank or when absent. */
export function attrShape(attrs: Attrs, name: string, where: string): number[] | undefined {
  const v = attrs[name];
  if (v === undefined) return undefined;
  if (v.shape === undefined) throw kindError(where, name, 'a shape', v);
  return signatureShape(v.shape, `${where}: attribute '${name}'`);
}

// ---------------------------------------------------------------- DataType and TensorProto

/** TF DataType names and the IR dtype they load as (only those a MobileNet needs). */
const TF_DTYPES: Readonly<Record<string, DType>> = {
  DT_FLOAT: 'float32',
  DT_INT32: 'int32',
  DT_INT64: 'int64',
  DT_BOOL: 'bool',
};

/** The IR dtype of a TF DataType name, or a UserError naming it. */
export function irDtypeOf(tfType: string, where: string): DType {
  const d = TF_DTYPES[tfType];
  if (!d) throw new UserError(`${where}: data type ${tfType} is not supported (float32, int32, int64, bool)`);
  return d;
}

/** A Const's `value` tensor: dtype, shape and, when the tensor carries data inline, that data. */
export interface TfTensorAttr {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** undefined when the data is elsewhere (moved to the weight shards by the converter). */
  readonly value?: Tensor;
}

/**
 * A TensorProto in JSON: { dtype, tensorShape, tensorContent (base64, little-endian) | floatVal |
 * intVal | int64Val | boolVal }. TF's rule for the *Val lists: fewer values than elements repeat
 * the last one (a scalar fill).
 */
export function attrTensor(attrs: Attrs, name: string, where: string): TfTensorAttr {
  const v = attrs[name];
  if (v === undefined) throw new UserError(`${where}: missing attribute '${name}'`);
  const t = v.tensor;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw kindError(where, name, 'a tensor', v);
  const proto = t as Record<string, unknown>;
  const at = `${where}: attribute '${name}'`;
  const dtype = irDtypeOf(String(proto.dtype ?? 'DT_INVALID'), at);
  const shape = signatureShape(proto.tensorShape ?? {}, `${at}.tensorShape`);
  if (!shape || shape.some((d) => d < 0)) throw new UserError(`${at}: the tensor shape must be fully known`);
  const n = sizeOf(shape);
  if (typeof proto.tensorContent === 'string') {
    return { dtype, shape, value: tensorFromBytes(dtype, shape, base64Bytes(proto.tensorContent, where, `${name}.tensorContent`), at) };
  }
  const listKey = { float32: 'floatVal', int32: 'intVal', int64: 'int64Val', bool: 'boolVal' }[dtype as 'float32' | 'int32' | 'int64' | 'bool'];
  const list = proto[listKey];
  if (list === undefined) return { dtype, shape };
  if (!Array.isArray(list)) throw new UserError(`${at}.${listKey} is not a list`);
  if (list.length === 0) return { dtype, shape };
  if (list.length > n) throw new UserError(`${at}.${listKey} has ${list.length} values for shape [${shape.join(', ')}] (${n} elements)`);
  const values = Array.from({ length: n }, (_, k) => list[Math.min(k, list.length - 1)]);
  const what = `${listKey} value`;
  switch (dtype) {
    case 'float32': return { dtype, shape, value: { dtype, shape, data: Float32Array.from(values, (x) => float32Value(x, at, what)) } };
    case 'int32': return { dtype, shape, value: { dtype, shape, data: Int32Array.from(values, (x) => int32Of(int64Value(x, at, what), at)) } };
    case 'int64': return { dtype, shape, value: { dtype, shape, data: BigInt64Array.from(values, (x) => BigInt(int64Value(x, at, what))) } };
    default: return { dtype, shape, value: { dtype, shape, data: Uint8Array.from(values, (x) => (x === true ? 1 : 0)) } };
  }
}

function int32Of(v: number, where: string): number {
  if (v < -(2 ** 31) || v >= 2 ** 31) throw new UserError(`${where}: value ${v} does not fit in int32`);
  return v;
}

/**
 * Little-endian bytes (TF.js shards and tensorContent are little-endian, as is every host Node
 * runs on here) as a tensor of `dtype`, or a UserError when the byte count does not match the shape.
 */
export function tensorFromBytes(dtype: DType, shape: readonly number[], bytes: Uint8Array, where: string): Tensor {
  const n = sizeOf(shape);
  const size = { float32: 4, int32: 4, int64: 8, bool: 1, int8: 1, uint8: 1 }[dtype];
  if (bytes.length !== n * size) throw new UserError(`${where}: ${bytes.length} bytes of data for ${dtype} [${shape.join(', ')}] (${n * size} bytes needed)`);
  // Copy into a fresh, aligned buffer (the source may be a slice at any offset).
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const b = copy.buffer;
  switch (dtype) {
    case 'float32': return { dtype, shape: [...shape], data: new Float32Array(b) };
    case 'int32': return { dtype, shape: [...shape], data: new Int32Array(b) };
    case 'int64': return { dtype, shape: [...shape], data: new BigInt64Array(b) };
    case 'int8': return { dtype, shape: [...shape], data: new Int8Array(b) };
    default: return { dtype, shape: [...shape], data: copy };
  }
}

/** A TensorShapeProto in JSON ({ dim: [{ size: '3' }] }) as numbers; undefined when absent or of unknown rank. */
export function signatureShape(s: unknown, where: string): number[] | undefined {
  if (s === undefined) return undefined;
  if (!isPlainObject(s)) throw new UserError(`${where} is not an object`);
  if (s.unknownRank === true) return undefined;
  const dims = s.dim ?? [];
  if (!Array.isArray(dims)) throw new UserError(`${where}.dim is not a list`);
  return dims.map((d, i) => {
    const size = isPlainObject(d) ? (d.size ?? '0') : undefined;
    const v = typeof size === 'string' || typeof size === 'number' ? Number(size) : NaN;
    if (!Number.isSafeInteger(v) || v < -1) throw new UserError(`${where}.dim[${i}].size '${String(size)}' is not an integer ≥ -1`);
    return v;
  });
}


function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
