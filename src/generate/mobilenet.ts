/**
 * A MobileNet v1 (Howard et al. 2017) for any width α and resolution ρ, written as the Keras →
 * ONNX exports in ../shared write it: Conv (no bias) + BatchNormalization + Clip(0, 6) for conv1
 * and the 13 depthwise/pointwise pairs, then GlobalAveragePool, a 1×1 Conv classifier with bias
 * (or Flatten + Gemm), Flatten and Softmax. Names follow the Keras files (conv1, conv1_bn,
 * conv1_relu, conv_dw_1, conv_pw_1, ..., conv_preds); each node's output tensor carries the
 * node's name. Weights are seeded random with He-normal scale (std √(2/fan_in)) and BN statistics
 * close to what such convs produce, so activations stay in a sane range through all 27 layers.
 * Used for fixtures, benchmarks and as the default model when ../shared is absent.
 */
import type { Graph } from '../ir/graph.js';
import { floatTensor } from '../ir/tensor.js';
import { GraphBuilder } from '../graph/builder.js';
import { UserError } from '../util/errors.js';
import { checkTensorElements } from '../util/input_files.js';
import { SeededRandom } from '../util/random.js';

export interface MobileNetOptions {
  /** Width multiplier α (the paper uses 1, 0.75, 0.5, 0.25). */
  readonly width: number;
  /** Input resolution ρ (square input [1, 3, ρ, ρ]). */
  readonly resolution: number;
  /** Number of classes (default 1000). */
  readonly classes?: number;
  /** Random seed (default 1). */
  readonly seed?: number;
  /** Classifier: a 1×1 Conv with bias as Keras ImageNet files do (default), or Flatten + Gemm. */
  readonly head?: 'conv' | 'gemm';
}

/** Output channels of each depthwise-separable block and the stride of its depthwise conv. */
export const MOBILENET_V1_BLOCKS: readonly (readonly [number, 1 | 2])[] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

/** Channels of a layer as Keras computes them: int(c · α). */
export function scaledChannels(c: number, width: number): number {
  // The epsilon keeps exact products (e.g. 0.75 · 64 = 48) from truncating on float error.
  return Math.floor(c * width + 1e-9);
}

/** TF 'SAME' padding as Keras MobileNet writes it: stride 2 pads only bottom/right (ONNX order t,l,b,r). */
function padsFor(kernel: number, stride: number): number[] {
  if (kernel === 1) return [0, 0, 0, 0];
  return stride === 2 ? [0, 0, 1, 1] : [1, 1, 1, 1];
}

function checkOptions(opts: MobileNetOptions): void {
  const { width, resolution } = opts;
  if (!(Number.isFinite(width) && width > 0 && width <= 4)) throw new UserError(`--width ${width}: must be a number in (0, 4]`);
  if (scaledChannels(32, width) < 1) throw new UserError(`--width ${width}: too small (conv1 would have no channels)`);
  if (!(Number.isInteger(resolution) && resolution >= 32 && resolution <= 2048)) {
    throw new UserError(`--resolution ${resolution}: must be an integer in [32, 2048]`);
  }
  const classes = opts.classes ?? 1000;
  if (!(Number.isInteger(classes) && classes >= 1)) throw new UserError(`--classes ${classes}: must be a positive integer`);
  // The largest tensors, checked before any is allocated: the classifier's weights (last
  // channels × classes) and conv1's output (its channels × (ρ/2)²).
  const last = scaledChannels(1024, width);
  checkTensorElements(last * classes, `--classes ${classes}: the classifier's weights (${last} × ${classes})`);
  const half = Math.ceil(resolution / 2);
  checkTensorElements(scaledChannels(32, width) * half * half, `--width ${width} --resolution ${resolution}: conv1's output`);
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw new UserError(`--seed ${seed}: must be an integer`);
}

export function generateMobileNetV1(opts: MobileNetOptions): Graph {
  checkOptions(opts);
  const { width, resolution } = opts;
  const classes = opts.classes ?? 1000;
  const rng = new SeededRandom(opts.seed ?? 1);
  const b = new GraphBuilder(`mobilenet_v1_${width}_${resolution}`, { opset: 13, producer: 'onnx2mcu generate' });
  b.input('input', [1, 3, resolution, resolution]);

  const heNormal = (shape: number[], fanIn: number, gain = 2): Float32Array => {
    const std = Math.sqrt(gain / fanIn);
    const n = shape.reduce((a, d) => a * d, 1);
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = rng.normal() * std;
    return w;
  };

  /** Conv(no bias) + BatchNormalization + Clip(0, 6) named like the Keras export; returns the output name. */
  const convBnRelu6 = (name: string, x: string, cin: number, cout: number, kernel: number, stride: number, group: number): string => {
    const wShape = [cout, cin / group, kernel, kernel];
    b.constant(`${name}.weight`, floatTensor(wShape, heNormal(wShape, (cin / group) * kernel * kernel)));
    b.node('Conv', [x, `${name}.weight`], [name], {
      kernel_shape: [kernel, kernel],
      strides: [stride, stride],
      pads: padsFor(kernel, stride),
      dilations: [1, 1],
      group,
      auto_pad: 'NOTSET',
    }, name);
    // BN statistics: a He-initialised conv on these activations has outputs of roughly unit
    // variance; var near 1 and a small mean keep the normalized activations near unit scale.
    const bn = `${name}_bn`;
    const perChannel = (lo: number, hi: number) => Float32Array.from({ length: cout }, () => rng.uniform(lo, hi));
    b.constant(`${bn}.scale`, floatTensor([cout], perChannel(0.7, 1.3)));
    b.constant(`${bn}.bias`, floatTensor([cout], perChannel(-0.1, 0.4)));
    b.constant(`${bn}.mean`, floatTensor([cout], perChannel(-0.2, 0.2)));
    b.constant(`${bn}.var`, floatTensor([cout], perChannel(0.5, 1.5)));
    b.node('BatchNormalization', [name, `${bn}.scale`, `${bn}.bias`, `${bn}.mean`, `${bn}.var`], [bn], { epsilon: 1e-3, momentum: 0.99 }, bn);
    const relu = `${name}_relu`;
    b.node('Clip', [bn], [relu], { min: 0, max: 6 }, relu);
    return relu;
  };

  let c = scaledChannels(32, width);
  let x = convBnRelu6('conv1', 'input', 3, c, 3, 2, 1);
  MOBILENET_V1_BLOCKS.forEach(([filters, stride], i) => {
    x = convBnRelu6(`conv_dw_${i + 1}`, x, c, c, 3, stride, c);
    const cout = scaledChannels(filters, width);
    x = convBnRelu6(`conv_pw_${i + 1}`, x, c, cout, 1, 1, 1);
    c = cout;
  });

  b.node('GlobalAveragePool', [x], ['global_average_pooling2d'], {}, 'global_average_pooling2d');
  const bias = Float32Array.from({ length: classes }, () => rng.uniform(-0.05, 0.05));
  if ((opts.head ?? 'conv') === 'conv') {
    b.constant('conv_preds.weight', floatTensor([classes, c, 1, 1], heNormal([classes, c, 1, 1], c, 1)));
    b.constant('conv_preds.bias', floatTensor([classes], bias));
    b.node('Conv', ['global_average_pooling2d', 'conv_preds.weight', 'conv_preds.bias'], ['conv_preds'], {
      kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, auto_pad: 'NOTSET',
    }, 'conv_preds');
    b.node('Flatten', ['conv_preds'], ['reshape_2'], { axis: 1 }, 'reshape_2');
    b.node('Softmax', ['reshape_2'], ['output'], { axis: 1 }, 'predictions_softmax');
  } else {
    b.node('Flatten', ['global_average_pooling2d'], ['flatten'], { axis: 1 }, 'flatten');
    b.constant('dense.weight', floatTensor([classes, c], heNormal([classes, c], c, 1)));
    b.constant('dense.bias', floatTensor([classes], bias));
    b.node('Gemm', ['flatten', 'dense.weight', 'dense.bias'], ['dense'], { alpha: 1, beta: 1, transA: 0, transB: 1 }, 'dense');
    b.node('Softmax', ['dense'], ['output'], { axis: 1 }, 'dense_softmax');
  }
  b.output('output');
  return b.build();
}
