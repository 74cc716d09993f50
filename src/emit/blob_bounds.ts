/**
 * What the C blob loader checks of each layer's constants (onnx2mcu_blob_check_layer in
 * src/runtime/onnx2mcu_blob.c), derived from the same CLayer that prints the flash arrays: the
 * layout the kernel reads the weights in, the zero points, and whether the layer's values satisfy
 * the fast requantization's bounds (then its kernel may rely on them, so a loaded blob must too).
 *
 * checkBlobValues is the TypeScript twin of the C check. The emitter runs it on its own arrays, so
 * a model whose constants the loader would refuse never reaches the C (a one-line error at
 * convert instead), and the tests hold the two to the same verdict on mutated blobs.
 */
import type { CLayer, CLayerData } from '../cgen/c_layer.js';
import { FAST_ACC_LIMIT, FAST_SHIFT_MAX, fastChannel } from '../cgen/c_layer.js';
import { layoutShape } from '../cgen/layout.js';

const INT32_MAX = 2 ** 31 - 1;

/** One layer's onnx2mcu_blob_bounds. */
export interface BlobBounds {
  readonly weightCount: number;
  readonly channels: number;
  /** Weight (outer, channel, inner) is at (outer · channels + channel) · channelStride + inner. */
  readonly channelStride: number;
  readonly inputZeroPoint: number;
  readonly outputZeroPoint: number;
  /** The largest |bias| + 128·Σ|w| of a channel. */
  readonly accLimit: number;
  /** The smallest shift of a channel: -31 (onnx2mcu_mbqm and the fast requantization alike). */
  readonly shiftMin: number;
  /** The largest shift of a channel with a non-zero multiplier. */
  readonly shiftMax: number;
}

type LayerValues = Pick<CLayerData, 'weights' | 'bias' | 'multiplier' | 'shift'>;

/** Σ|w| of every output channel of weights in the kernel's layout. */
function channelAbsSums(b: Pick<BlobBounds, 'channels' | 'channelStride'>, w: Int8Array): Float64Array {
  const sums = new Float64Array(b.channels);
  const outer = w.length / (b.channels * b.channelStride);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < b.channels; c++) {
      const row = (o * b.channels + c) * b.channelStride;
      for (let k = 0; k < b.channelStride; k++) sums[c] += Math.abs(w[row + k]);
    }
  }
  return sums;
}

/** The bounds of a layer with constant data, from its CLayer. */
export function blobBounds(c: CLayer): BlobBounds {
  const d = c.data;
  if (!d) throw new Error(`blob bounds: layer '${c.layer.name}' has no constant data`);
  const channels = d.bias.length;
  // The IR weights are output-channel-major: view axis 0 is the output channel.
  if (d.layout.view[0] !== channels) throw new Error(`blob bounds: layer '${c.layer.name}': layout ${d.layout.name} does not start with the ${channels} output channels`);
  const shape = layoutShape(d.layout);
  const channelStride = shape.slice(d.layout.perm.indexOf(0) + 1).reduce((a, b) => a * b, 1);
  const sums = channelAbsSums({ channels, channelStride }, d.weights);
  // The condition of fastRequant (src/cgen/c_layer.ts), on the values as the kernel reads them.
  let fast = true;
  for (let o = 0; o < channels; o++) {
    if (!fastChannel(d.bias[o], sums[o], d.multiplier[o], d.shift[o])) fast = false;
  }
  return {
    weightCount: d.weights.length,
    channels,
    channelStride,
    inputZeroPoint: d.biasZeroPoint,
    outputZeroPoint: c.layer.outputQ.zeroPoint,
    accLimit: fast ? FAST_ACC_LIMIT : INT32_MAX,
    shiftMin: -31,
    shiftMax: fast ? FAST_SHIFT_MAX : 30,
  };
}

/** The C designated initializer of an onnx2mcu_blob_bounds. */
export function blobBoundsInit(b: BlobBounds): string {
  return `{ ${b.weightCount}u, ${b.channels}u, ${b.channelStride}u, ${b.inputZeroPoint}, ${b.outputZeroPoint}, ${b.accLimit}, ${b.shiftMin}, ${b.shiftMax} }`;
}

/**
 * The first value of `v` outside `b`, as text ('channel 3: shift 145 outside [-31, 30]'), or
 * undefined when all are within: exactly the conditions of onnx2mcu_blob_check_layer.
 */
export function checkBlobValues(b: BlobBounds, v: LayerValues): string | undefined {
  if (b.channels === 0 || b.channelStride === 0 || b.weightCount % (b.channels * b.channelStride) !== 0) return 'bounds that fit no weights';
  const sums = channelAbsSums(b, v.weights);
  const zpIn = Math.abs(b.inputZeroPoint);
  const zpOut = BigInt(Math.abs(b.outputZeroPoint));
  for (let c = 0; c < b.channels; c++) {
    const m = v.multiplier[c];
    const s = v.shift[c];
    const acc = Math.abs(v.bias[c]) + 128 * sums[c];
    const shiftMax = m === 0 && b.shiftMax < 0 ? 0 : b.shiftMax;
    if (m < 0 || (m !== 0 && m < 2 ** 30)) return `channel ${c}: multiplier ${m} is neither 0 nor in [2^30, 2^31)`;
    if (s < b.shiftMin || s > shiftMax) return `channel ${c}: shift ${s} outside [${b.shiftMin}, ${shiftMax}]`;
    if (acc + zpIn * sums[c] > INT32_MAX || acc > b.accLimit) {
      return `channel ${c}: bias ${v.bias[c]} with Σ|w| ${sums[c]} exceeds the accumulator bound ${Math.min(b.accLimit, INT32_MAX - zpIn * sums[c])}`;
    }
    // Exact in BigInt: the C computes this in int64.
    const scaled = BigInt(Math.min(acc * 2 ** Math.max(s, 0), 2 ** 31));
    const requantized = ((scaled * BigInt(m) + (1n << 30n)) >> 31n) + 1n;
    if (requantized + zpOut > BigInt(INT32_MAX)) return `channel ${c}: requantized values plus the output zero point may overflow int32`;
  }
  return undefined;
}
