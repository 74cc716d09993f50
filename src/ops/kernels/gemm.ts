/** Float matrix products shared by Gemm, MatMul and the canonical fully_connected. */

export interface GemmParams {
  alpha: number;
  beta: number;
  transA: boolean;
  transB: boolean;
}

/**
 * Y [M, N] = alpha · op(A) · op(B) + beta · C, where op(A) is [M, K] (A stored [K, M] when transA)
 * and op(B) is [K, N] (stored [N, K] when transB). C, if given, is unidirectionally broadcast
 * to [M, N] (cShape of rank 0, 1 or 2 with dims 1 or matching). Float64 accumulation.
 */
export function gemmFloat(
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  c: Float32Array | undefined,
  cShape: readonly number[] | undefined,
  p: GemmParams,
): Float32Array {
  const M = p.transA ? aShape[1] : aShape[0];
  const K = p.transA ? aShape[0] : aShape[1];
  const N = p.transB ? bShape[0] : bShape[1];
  const Kb = p.transB ? bShape[1] : bShape[0];
  if (K !== Kb) throw new Error(`gemmFloat: inner dimensions ${K} and ${Kb} differ`);
  // Strides of op(A)[m, k] and op(B)[k, n] in the stored arrays.
  const aM = p.transA ? 1 : K;
  const aK = p.transA ? M : 1;
  const bK = p.transB ? 1 : N;
  const bN = p.transB ? K : 1;
  let cM = 0;
  let cN = 0;
  if (c && cShape) {
    const cs = cShape.length === 0 ? [1, 1] : cShape.length === 1 ? [1, cShape[0]] : cShape;
    cM = cs[0] === 1 ? 0 : cs[1];
    cN = cs[1] === 1 ? 0 : 1;
    if ((cs[0] !== 1 && cs[0] !== M) || (cs[1] !== 1 && cs[1] !== N)) throw new Error(`gemmFloat: C [${cShape}] does not broadcast to [${M}, ${N}]`);
  }
  const y = new Float32Array(M * N);
  const row = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    row.fill(0);
    for (let k = 0; k < K; k++) {
      const av = a[m * aM + k * aK];
      const bBase = k * bK;
      if (bN === 1) for (let n = 0; n < N; n++) row[n] += av * b[bBase + n];
      else for (let n = 0; n < N; n++) row[n] += av * b[bBase + n * bN];
    }
    for (let n = 0; n < N; n++) {
      let v = p.alpha * row[n];
      if (c) v += p.beta * c[m * cM + n * cN];
      y[m * N + n] = v;
    }
  }
  return y;
}
