/**
 * AttributeProto ⇄ IR attribute values. Ints become JS numbers; TENSOR attributes become Tensors.
 * Writing needs to know whether an integral number is an INT or a FLOAT attribute: ONNX does not
 * accept `epsilon = 0` as an INT, so attributes that are floats in every ONNX op we write are
 * listed in FLOAT_ATTRS.
 */
import type { Attr } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { UserError } from '../../util/errors.js';
import type { AttributeProto } from './proto.js';
import { AttributeType, int64ToNumber } from './proto.js';
import { tensorFromProto, tensorToProto } from './tensor_proto.js';

/** Attributes that are FLOAT / FLOATS in the ONNX ops we write. */
export const FLOAT_ATTRS: ReadonlySet<string> = new Set([
  'epsilon', 'alpha', 'beta', 'gamma', 'value', 'min', 'max', 'momentum', 'ratio', 'bias', 'scale', 'scales',
  'value_float', 'value_floats',
]);

const decoder = new TextDecoder();

function isTensor(v: Attr): v is Tensor {
  return typeof v === 'object' && !Array.isArray(v) && v !== null && 'dtype' in v && 'data' in v;
}

/** One attribute's value; `where` names the node for messages. */
export function attrFromProto(a: AttributeProto, where: string, baseDir?: string): Attr {
  const name = a.name ?? '';
  const at = `${where} attribute '${name}'`;
  let type = a.type ?? AttributeType.UNDEFINED;
  if (type === AttributeType.UNDEFINED) type = guessType(a);
  const toInt = (v: Parameters<typeof int64ToNumber>[0]): number => {
    try {
      return int64ToNumber(v);
    } catch {
      throw new UserError(`${at}: integer ${String(v)} is too large`);
    }
  };
  switch (type) {
    case AttributeType.FLOAT: return a.f ?? 0;
    case AttributeType.INT: return toInt(a.i);
    case AttributeType.STRING: return decoder.decode(a.s ?? new Uint8Array());
    case AttributeType.TENSOR:
      if (!a.t) throw new UserError(`${at}: TENSOR attribute without a tensor`);
      return tensorFromProto(a.t, at, baseDir);
    case AttributeType.FLOATS: return [...(a.floats ?? [])];
    case AttributeType.INTS: return (a.ints ?? []).map(toInt);
    case AttributeType.STRINGS: return (a.strings ?? []).map((s) => decoder.decode(s));
    default:
      throw new UserError(`${at}: unsupported attribute type ${AttributeType[type] ?? type}`);
  }
}

/** Old files may leave `type` unset; the field that carries a value tells what it is. */
function guessType(a: AttributeProto): number {
  if (a.ints && a.ints.length) return AttributeType.INTS;
  if (a.floats && a.floats.length) return AttributeType.FLOATS;
  if (a.strings && a.strings.length) return AttributeType.STRINGS;
  if (a.t) return AttributeType.TENSOR;
  if (a.g) return AttributeType.GRAPH;
  if (a.s && a.s.length) return AttributeType.STRING;
  if (a.f) return AttributeType.FLOAT;
  return AttributeType.INT;
}

/** All attributes of a node as a record. */
export function attrsFromProto(list: readonly AttributeProto[] | null | undefined, where: string, baseDir?: string): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  for (const a of list ?? []) out[a.name ?? ''] = attrFromProto(a, where, baseDir);
  return out;
}

/** Encodes one IR attribute; numbers are INT when integral and not a known float attribute. */
export function attrToProto(name: string, v: Attr): AttributeProto {
  const isFloat = FLOAT_ATTRS.has(name);
  if (typeof v === 'number') {
    if (!isFloat && Number.isInteger(v)) return { name, type: AttributeType.INT, i: v };
    return { name, type: AttributeType.FLOAT, f: v };
  }
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (isTensor(v)) return { name, type: AttributeType.TENSOR, t: tensorToProto('', v) };
  const list = v as readonly (number | string)[];
  if (list.length > 0 && typeof list[0] === 'string') {
    return { name, type: AttributeType.STRINGS, strings: (list as readonly string[]).map((s) => new TextEncoder().encode(s)) };
  }
  const nums = list as readonly number[];
  if (!isFloat && nums.every((x) => Number.isInteger(x))) return { name, type: AttributeType.INTS, ints: [...nums] };
  return { name, type: AttributeType.FLOATS, floats: [...nums] };
}
