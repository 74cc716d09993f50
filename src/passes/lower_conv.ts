/**
 * lower_conv: ONNX Conv → conv2d (group 1) or depthwise_conv2d (group = input channels, output
 * channels a multiple of them). auto_pad is resolved into explicit pads [t, l, b, r]; a missing
 * bias becomes a zero constant so canonical convs always have one; the activation range starts
 * unbounded. Any other grouping is a UserError.
 */
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';
import { convParamsOf } from '../ops/onnx/conv.js';
import { floatTensor } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';

export const lowerConv: Pass = {
  name: 'lower_conv',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((n, i) => {
      if (!n || n.op !== 'Conv') return;
      const where = `node '${n.name}' (Conv)`;
      const x = ed.info(n.inputs[0])!;
      const w = ed.constant(n.inputs[1]);
      if (!w) throw new UserError(`${where}: weight '${n.inputs[1]}' is not a constant`);
      let bias = n.inputs[2] ?? '';
      if (bias !== '' && !ed.constant(bias)) throw new UserError(`${where}: bias '${bias}' is not a constant`);
      const p = convParamsOf(n, x.shape, w.shape);
      const C = x.shape[1];
      const O = w.shape[0];
      if (bias === '') bias = ed.addConstant(`${n.name}.bias`, floatTensor([O]));
      const common = { strides: p.strides, pads: p.pads, dilations: p.dilations, act_min: -Infinity, act_max: Infinity };
      const base = { name: n.name, inputs: [n.inputs[0], n.inputs[1], bias], outputs: [n.outputs[0]], origin: originOf(n) };
      if (p.group === 1) {
        ed.replace(i, { ...base, op: 'conv2d', attrs: common });
      } else if (p.group === C && O % C === 0) {
        ed.replace(i, { ...base, op: 'depthwise_conv2d', attrs: { ...common, depth_multiplier: O / C } });
      } else {
        throw new UserError(`${where}: grouped convolution with group ${p.group} (neither 1 nor the ${C} input channels) is not supported`);
      }
    });
    return ed.finish();
  },
};
