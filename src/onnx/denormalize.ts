/**
 * The inverse of normalize.ts for export: writes a normalized IR node in the form the target opset
 * expects (Clip bounds and Pad pads as attributes before opset 11 and as constant inputs from 11;
 * Squeeze/Unsqueeze axes as attribute before 13 and as input from 13; Softmax's axis semantics),
 * and drops attributes the target opset's schema does not have (onnxruntime rejects unknown ones).
 */
import type { Attr, Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, int64Tensor } from '../ir/tensor.js';

export interface DenormalizeContext {
  readonly opset: number;
  readonly values: ReadonlyMap<string, ValueInfo>;
  /** A tensor name not used anywhere in the graph, derived from `base`. */
  fresh(base: string): string;
}

export interface Denormalized {
  readonly node: Node;
  /** New initializers the node now reads (Clip bounds, pads, axes). */
  readonly constants: ReadonlyMap<string, Tensor>;
}

type Attrs = Record<string, Attr>;

export function denormalizeNode(node: Node, ctx: DenormalizeContext): Denormalized {
  const constants = new Map<string, Tensor>();
  const addConst = (suffix: string, t: Tensor): string => {
    const name = ctx.fresh(`${node.name}_${suffix}`);
    constants.set(name, t);
    return name;
  };
  const attrs: Attrs = { ...node.attrs };
  let inputs = [...node.inputs];
  const where = `exportOnnx: node '${node.name}' (${node.op})`;

  switch (node.op) {
    case 'Clip': {
      const min = typeof attrs.min === 'number' ? attrs.min : -Infinity;
      const max = typeof attrs.max === 'number' ? attrs.max : Infinity;
      delete attrs.min;
      delete attrs.max;
      if (ctx.opset < 11) {
        if (min !== -Infinity) attrs.min = min;
        if (max !== Infinity) attrs.max = max;
      } else {
        const minName = min !== -Infinity ? addConst('min', floatTensor([], Float32Array.of(min))) : '';
        const maxName = max !== Infinity ? addConst('max', floatTensor([], Float32Array.of(max))) : '';
        inputs = [inputs[0], minName, maxName];
        while (inputs.length > 1 && inputs[inputs.length - 1] === '') inputs.pop();
      }
      break;
    }
    case 'Pad': {
      const pads = (attrs.pads as readonly number[] | undefined) ?? [];
      const value = typeof attrs.value === 'number' ? attrs.value : 0;
      if (ctx.opset < 11) {
        Object.assign(attrs, { mode: 'constant', pads: [...pads], value });
      } else {
        delete attrs.pads;
        delete attrs.value;
        attrs.mode = 'constant';
        inputs = [inputs[0], addConst('pads', int64Tensor(pads)), addConst('value', floatTensor([], Float32Array.of(value)))];
      }
      break;
    }
    case 'Squeeze':
    case 'Unsqueeze': {
      const axes = attrs.axes as readonly number[] | undefined;
      if (ctx.opset >= 13) {
        delete attrs.axes;
        inputs = axes ? [inputs[0], addConst('axes', int64Tensor(axes))] : [inputs[0]];
      }
      break;
    }
    case 'Softmax': {
      const legacy = attrs.legacy_2d === 1;
      delete attrs.legacy_2d;
      const targetLegacy = ctx.opset < 13;
      const rank = ctx.values.get(inputs[0])?.shape.length;
      const shape = ctx.values.get(inputs[0])?.shape;
      let axis = typeof attrs.axis === 'number' ? attrs.axis : targetLegacy ? 1 : -1;
      if (rank !== undefined && axis < 0) axis += rank;
      if (legacy !== targetLegacy) {
        // Old Softmax flattens to 2-D at `axis`; new Softmax works on one axis. They agree
        // exactly when every dimension after `axis` is 1.
        if (!shape || shape.slice(axis + 1).some((d) => d !== 1)) {
          throw new Error(`${where}: Softmax over axis ${axis} of [${shape ?? '?'}] cannot be written for opset ${ctx.opset}`);
        }
      }
      attrs.axis = axis;
      break;
    }
    case 'Conv':
    case 'AveragePool':
    case 'MaxPool': {
      if (attrs.auto_pad !== undefined && attrs.auto_pad !== 'NOTSET' && attrs.auto_pad !== '') delete attrs.pads;
      if (node.op !== 'Conv') {
        if (ctx.opset < 10) dropIfDefault(attrs, 'ceil_mode', 0, where, ctx.opset);
        const dilationsFrom = node.op === 'MaxPool' ? 10 : 19;
        if (ctx.opset < dilationsFrom && attrs.dilations !== undefined) {
          if ((attrs.dilations as number[]).some((d) => d !== 1)) throw new Error(`${where}: pool dilations need opset ${dilationsFrom}`);
          delete attrs.dilations;
        }
      }
      break;
    }
    case 'Reshape':
      if (ctx.opset < 14) dropIfDefault(attrs, 'allowzero', 0, where, ctx.opset);
      break;
    default:
      break;
  }
  return { node: { ...node, inputs, attrs }, constants };
}

function dropIfDefault(attrs: Attrs, name: string, dflt: number, where: string, opset: number): void {
  if (attrs[name] === undefined) return;
  if (attrs[name] !== dflt) throw new Error(`${where}: attribute ${name}=${String(attrs[name])} cannot be written for opset ${opset}`);
  delete attrs[name];
}
