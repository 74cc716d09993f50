/**
 * lower_pool: GlobalAveragePool → global_average_pool; AveragePool → average_pool with auto_pad
 * resolved to explicit pads. ceil_mode is accepted only when it gives the same output size as
 * floor mode (the canonical op has no ceil_mode). MaxPool has no canonical form (MobileNet v1
 * does not use it) and is left for check_canonical to report.
 */
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';
import { poolParamsOf } from '../ops/onnx/pool_common.js';
import { poolOutputShape } from '../ops/kernels/pool.js';
import { sameShape, shapeToString } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';

export const lowerPool: Pass = {
  name: 'lower_pool',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((n, i) => {
      if (!n) return;
      const base = { name: n.name, inputs: [n.inputs[0]], outputs: [n.outputs[0]], origin: originOf(n) };
      if (n.op === 'GlobalAveragePool') {
        ed.replace(i, { ...base, op: 'global_average_pool', attrs: { act_min: -Infinity, act_max: Infinity } });
      } else if (n.op === 'AveragePool') {
        const x = ed.info(n.inputs[0])!;
        const p = poolParamsOf(n, x.shape);
        if (p.ceilMode) {
          const ceil = poolOutputShape(x.shape, p);
          const floor = poolOutputShape(x.shape, { ...p, ceilMode: false });
          if (!sameShape(ceil, floor)) {
            throw new UserError(`node '${n.name}' (AveragePool): ceil_mode 1 gives output ${shapeToString(ceil)} instead of ${shapeToString(floor)}; not supported`);
          }
        }
        ed.replace(i, {
          ...base,
          op: 'average_pool',
          attrs: { kernel: p.kernel, strides: p.strides, pads: p.pads, count_include_pad: p.countIncludePad ? 1 : 0, act_min: -Infinity, act_max: Infinity },
        });
      }
    });
    return ed.finish();
  },
};
