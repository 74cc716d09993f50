/**
 * Bytes → ModelProto, with one-line errors for the ways a file can fail to be an ONNX model:
 * empty, not protobuf at all, cut short, or a protobuf that is not a model (no graph, no opset).
 */
import { UserError } from '../util/errors.js';
import type { ModelProto } from './proto/proto.js';
import { int64ToNumber, onnx } from './proto/proto.js';

/** The default-domain opsets the importer understands. Later opsets changed none of our ops' semantics. */
export const MIN_OPSET = 9;
export const MAX_OPSET = 21;

export function decodeModel(bytes: Uint8Array, source: string): ModelProto {
  if (bytes.length === 0) throw new UserError(`${source}: empty file (0 bytes), not an ONNX model`);
  const scan = scanModelFields(bytes);
  if (scan.kind === 'not-onnx') throw new UserError(`${source}: not an ONNX model (${scan.detail})`);
  if (scan.kind === 'truncated') throw new UserError(`${source}: truncated or corrupt ONNX file (${scan.detail})`);
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // protobufjs reports reads past the end as "index out of range: A + B > C".
    if (/index out of range/.test(msg)) {
      throw new UserError(`${source}: truncated or corrupt ONNX file (${bytes.length} bytes; protobuf: ${msg})`);
    }
    throw new UserError(`${source}: not an ONNX model (protobuf decoding failed: ${msg})`);
  }
  // Arbitrary bytes sometimes decode as a protobuf full of unknown fields: demand a real model.
  if (!model.graph) throw new UserError(`${source}: not an ONNX model (no graph in the file)`);
  if (model.opsetImport.length === 0 && int64ToNumber(model.irVersion) === 0) {
    throw new UserError(`${source}: not an ONNX model (no ir_version and no opset_import)`);
  }
  return model;
}

/** The default-domain ('' or 'ai.onnx') opset version of a model; checks it is one we support. */
export function defaultOpset(model: ModelProto, source: string): number {
  let opset: number | undefined;
  for (const o of model.opsetImport) {
    if (!o.domain || o.domain === 'ai.onnx') opset = int64ToNumber(o.version);
  }
  if (opset === undefined) {
    // IR version 3 models without opset_import are opset 1..8 era; either way too old.
    throw new UserError(`${source}: opset_import has no default-domain ('ai.onnx') opset`);
  }
  if (opset < MIN_OPSET) throw new UserError(`${source}: opset ${opset} is too old (supported: ${MIN_OPSET} to ${MAX_OPSET})`);
  if (opset > MAX_OPSET) throw new UserError(`${source}: opset ${opset} is newer than the supported ${MIN_OPSET} to ${MAX_OPSET}`);
  return opset;
}

/** Wire types of ModelProto's top-level fields (1 ir_version … 25 functions). */
const MODEL_FIELDS: ReadonlyMap<number, number> = new Map([
  [1, 0], [2, 2], [3, 2], [4, 2], [5, 0], [6, 2], [7, 2], [8, 2], [14, 2], [20, 2], [25, 2],
]);

type Scan = { kind: 'ok' } | { kind: 'not-onnx' | 'truncated'; detail: string };

/**
 * Walks the top-level protobuf fields without decoding them. A field ModelProto does not have (or
 * with the wrong wire type) means the file is something else; a field that runs past the end of a
 * file whose fields were all plausible so far means the file was cut short. protobufjs alone
 * cannot tell the two apart (a text file often "runs past the end" too).
 */
function scanModelFields(bytes: Uint8Array): Scan {
  let pos = 0;
  const varint = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (pos >= bytes.length) return undefined;
      const b = bytes[pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
    return undefined;
  };
  while (pos < bytes.length) {
    const at = pos;
    const tag = varint();
    if (tag === undefined) return { kind: 'truncated', detail: `${bytes.length} bytes; field tag cut at byte ${at}` };
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (MODEL_FIELDS.get(field) !== wire) {
      return { kind: 'not-onnx', detail: `byte ${at}: field ${field} with wire type ${wire} is not part of an ONNX ModelProto` };
    }
    if (wire === 0) {
      if (varint() === undefined) return { kind: 'truncated', detail: `${bytes.length} bytes; field ${field} cut short` };
    } else {
      const len = varint();
      if (len === undefined || pos + len > bytes.length) {
        return { kind: 'truncated', detail: `${bytes.length} bytes; field ${field} at byte ${at} needs ${len ?? '?'} bytes, ${bytes.length - pos} remain` };
      }
      pos += len;
    }
  }
  return { kind: 'ok' };
}
