/**
 * Layer-by-layer comparison of a runner's intermediate outputs (channels-last hex dumps, as
 * peer_model.c prints them with -DPEER_DUMP_LAYERS) with the TypeScript integer reference's
 * tensors (runInt8 with keep: 'all', NCHW): when outputs differ, this says which layer diverges
 * first and so which side is wrong.
 */
import { runInt8, type QuantizedModel } from './repo.js';
import { viewLayer } from './layer_view.js';

export interface LayerComparison {
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly bytes: number;
  /** Bytes that differ from the reference (-1: the runner printed nothing for this layer). */
  readonly differing: number;
}

function toNhwc(x: Int8Array, shape: readonly number[]): Int8Array {
  if (shape.length !== 4 || shape[2] * shape[3] === 1) return x;
  const [, C, H, W] = shape;
  const out = new Int8Array(x.length);
  for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out[p * C + c] = x[c * H * W + p];
  return out;
}

export function compareLayers(model: QuantizedModel, inputNchw: Int8Array, dumps: ReadonlyMap<number, string>): LayerComparison[] {
  const tensors = runInt8(model, inputNchw, { keep: 'all' }).tensors!;
  return model.layers.map((layer, index) => {
    const l = viewLayer(layer);
    const want = toNhwc(tensors.get(l.output)!, l.outputShape);
    const got = dumps.get(index);
    let differing = -1;
    if (got !== undefined) {
      const g = Buffer.from(got, 'hex');
      differing = Math.abs(g.length - want.length);
      for (let i = 0; i < Math.min(g.length, want.length); i++) if ((g[i] << 24) >> 24 !== want[i]) differing++;
    }
    return { index, name: l.name, op: l.op, bytes: want.length, differing };
  });
}

/** One line: the first layer that differs, or that every layer matches. */
export function describeComparison(c: readonly LayerComparison[]): string {
  const bad = c.find((x) => x.differing !== 0);
  if (!bad) return `all ${c.length} layers equal the integer reference byte for byte`;
  return bad.differing < 0
    ? `layer ${bad.index} (${bad.name}) was not dumped`
    : `first difference at layer ${bad.index} (${bad.name}, ${bad.op}): ${bad.differing} of ${bad.bytes} bytes differ from the integer reference; the layers before it match`;
}
