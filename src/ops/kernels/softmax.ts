/** Float softmax over contiguous rows (max-subtracted for stability, float64 sums). */

/** Softmax of each of `outer` × `inner` slices of length `axisSize` laid out [outer, axisSize, inner]. */
export function softmaxFloat(x: Float32Array, outer: number, axisSize: number, inner: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * axisSize * inner + i;
      let max = -Infinity;
      for (let k = 0; k < axisSize; k++) max = Math.max(max, x[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < axisSize; k++) sum += Math.exp(x[base + k * inner] - max);
      for (let k = 0; k < axisSize; k++) y[base + k * inner] = Math.exp(x[base + k * inner] - max) / sum;
    }
  }
  return y;
}
