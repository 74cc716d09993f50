/**
 * The float passes, in the order they run: an imported ONNX graph in, the canonical float graph
 * (conv2d, depthwise_conv2d, fully_connected, average_pool, global_average_pool, softmax, and
 * channel_affine for a BatchNormalization with nothing to fold into) out. Each pass is one file
 * in src/passes/ with its own test; read the list top to bottom.
 */
import type { Pass } from '../src/passes/pass.js';
import { removeIdentity } from '../src/passes/remove_identity.js';
import { removeDeadNodes } from '../src/passes/remove_dead_nodes.js';
import { nhwcInput } from '../src/passes/nhwc_input.js';
import { lowerConv } from '../src/passes/lower_conv.js';
import { lowerPool } from '../src/passes/lower_pool.js';
import { mergePad } from '../src/passes/merge_pad.js';
import { averagePoolToGlobal } from '../src/passes/average_pool_to_global.js';
import { lowerFullyConnected } from '../src/passes/lower_fully_connected.js';
import { lowerSoftmax } from '../src/passes/lower_softmax.js';
import { lowerMulAdd } from '../src/passes/lower_mul_add.js';
import { foldBatchnorm } from '../src/passes/fold_batchnorm.js';
import { foldChannelAffine } from '../src/passes/fold_channel_affine.js';
import { fuseActivation } from '../src/passes/fuse_activation.js';
import { collapseReshapes } from '../src/passes/collapse_reshapes.js';
import { pointwiseToFc } from '../src/passes/pointwise_to_fc.js';
import { removeReshapes } from '../src/passes/remove_reshapes.js';
import { checkCanonical } from '../src/passes/check_canonical.js';

export const FLOAT_PASSES: readonly Pass[] = [
  // Clean-up: pass-through ops and nodes that feed no output.
  removeIdentity,
  removeDeadNodes,
  // tf2onnx: NHWC input + Transpose → NCHW input, meta.inputLayout = 'nhwc'.
  nhwcInput,
  // ONNX ops → canonical ops (explicit pads, biases, last-axis softmax, (O, K) weights).
  lowerConv,
  lowerPool,
  lowerFullyConnected,
  lowerSoftmax,
  // Mul / Add by a per-channel constant → channel_affine (folded below like a BatchNormalization).
  lowerMulAdd,
  // Explicit zero Pad → the pads of the conv / average pool that reads it.
  mergePad,
  averagePoolToGlobal,
  // BatchNormalization → into the conv / fc weights (or channel_affine); per-channel affines likewise;
  // then Relu / Clip → the producer's act range.
  foldBatchnorm,
  foldChannelAffine,
  fuseActivation,
  // Classifier head: shape-only chains → one Reshape; 1×1 conv on the pooled 1×1 map →
  // fully_connected; rank-only reshapes go.
  collapseReshapes,
  pointwiseToFc,
  removeReshapes,
  // Anything not canonical by now is unsupported: one UserError listing it all.
  checkCanonical,
];
