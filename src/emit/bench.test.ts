import { describe, expect, it } from 'vitest';
import { availableCompilers } from './compile.js';
import { benchAgainstNaive, hasValgrind } from './bench.js';
import { handMadeModel } from './testing.js';

describe.skipIf(availableCompilers().length === 0 || !hasValgrind())('benchmark hook', () => {
  it('callgrind counts instructions inside model_run; the fast paths beat the naive loop nests', () => {
    const m = handMadeModel(21, 33);
    const r = benchAgainstNaive(m, { runs: 3 });
    expect(r.fast.instructions).toBeGreaterThan(10_000);
    // callgrind is deterministic: a second measurement gives the same count
    expect(benchAgainstNaive(m, { runs: 1 }).fast.instructions).toBe(r.fast.instructions);
    expect(r.instructionRatio).toBeGreaterThan(1.05);
  });
});
