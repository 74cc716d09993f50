/**
 * Weight layouts as data: the C array is the IR weights viewed under `view` (a reshape, same
 * element order) with their axes permuted by `perm`. One description gives both directions:
 * applyLayout for the emitter, invertLayout for whoever reads the artifacts back (verify, bench).
 *
 *   conv OIHW → OHWI:            view [O, I, kh, kw],  perm [0, 2, 3, 1]
 *   depthwise (C, 1, kh, kw) → 1HWC: view [C, kh, kw], perm [1, 2, 0]
 *   fully connected (O, C·H·W) → (O, H·W·C): view [O, C, H, W], perm [0, 2, 3, 1]
 */

export interface WeightLayout {
  /** Short name for comments and the manifest, e.g. 'OHWI'. */
  readonly name: string;
  /** The IR weights viewed with this shape (the product equals their length). */
  readonly view: readonly number[];
  /** Axis i of the C array is axis perm[i] of the view. */
  readonly perm: readonly number[];
}

/** The identity layout of `length` values. */
export function identityLayout(name: string, length: number): WeightLayout {
  return { name, view: [length], perm: [0] };
}

/** The C array's shape: the view's axes in `perm` order. */
export function layoutShape(l: WeightLayout): number[] {
  return l.perm.map((a) => l.view[a]);
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function check(l: WeightLayout, length: number): void {
  const n = l.view.reduce((a, b) => a * b, 1);
  const sorted = [...l.perm].sort((a, b) => a - b);
  if (n !== length || l.perm.length !== l.view.length || sorted.some((a, i) => a !== i)) {
    throw new Error(`weight layout ${l.name}: view [${l.view}] perm [${l.perm}] does not fit ${length} values`);
  }
}

/**
 * Moves every element: out[index in the permuted array] = data[index in the view] (toC), or the
 * reverse. One loop over the view's multi-index serves both directions.
 */
function permute<T extends Int8Array | Int32Array>(data: T, l: WeightLayout, toC: boolean): T {
  check(l, data.length);
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const cStrides = strides(layoutShape(l));
  // Stride in the C array of each view axis.
  const cStrideOfViewAxis = new Array<number>(l.view.length);
  l.perm.forEach((viewAxis, cAxis) => { cStrideOfViewAxis[viewAxis] = cStrides[cAxis]; });
  const idx = new Array<number>(l.view.length).fill(0);
  for (let v = 0; v < data.length; v++) {
    let c = 0;
    for (let a = 0; a < idx.length; a++) c += idx[a] * cStrideOfViewAxis[a];
    if (toC) out[c] = data[v];
    else out[v] = data[c];
    for (let a = idx.length - 1; a >= 0; a--) {
      if (++idx[a] < l.view[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** The C array from the IR weights. */
export function applyLayout<T extends Int8Array | Int32Array>(ir: T, l: WeightLayout): T {
  return permute(ir, l, true);
}

/** The IR weights from the C array. */
export function invertLayout<T extends Int8Array | Int32Array>(c: T, l: WeightLayout): T {
  return permute(c, l, false);
}
