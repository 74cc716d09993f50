/**
 * The float passes on generated MobileNet v1 models (src/generate): needs no ../shared, so it runs
 * in any clone. Outputs agree with the float interpreter on the unoptimized graph, only the
 * canonical vocabulary remains, and the folded 1.0/224 network has the paper's 569M mult-adds and
 * 4.2M parameters (Table 6).
 */
import { describe, expect, it } from 'vitest';
import { generateMobileNetV1 } from '../src/generate/mobilenet.js';
import { runFloat } from '../src/graph/interpret.js';
import { maxAbsDiff, maxRelDiff, randomFeeds, totalCost } from '../src/passes/testing.js';
import { runFloatPasses } from './index.js';

const VOCABULARY = ['conv2d', 'depthwise_conv2d', 'fully_connected', 'average_pool', 'global_average_pool', 'softmax'];

describe('float passes on generated MobileNet v1 models', () => {
  for (const head of ['conv', 'gemm'] as const) {
    it(`0.25/96 with a ${head} classifier: canonical, same outputs as the unoptimized graph`, () => {
      const g = generateMobileNetV1({ width: 0.25, resolution: 96, classes: 10, seed: 3, head });
      const h = runFloatPasses(g);
      expect(h.nodes.filter((n) => !VOCABULARY.includes(n.op))).toEqual([]);
      expect(h.nodes.slice(-3).map((n) => n.op)).toEqual(['global_average_pool', 'fully_connected', 'softmax']);
      expect(h.values.get(h.outputs[0])!.shape).toEqual([1, 10]);
      const feeds = randomFeeds(g, 5);
      const logits = h.nodes[h.nodes.length - 1].inputs[0];
      const want = runFloat(g, feeds, { keep: 'all' });
      const got = runFloat(h, feeds, { keep: 'all' });
      expect(maxAbsDiff(got.get(h.outputs[0])!.data as Float32Array, want.get(g.outputs[0])!.data as Float32Array)).toBeLessThan(1e-5);
      expect(maxRelDiff(got.get(logits)!.data as Float32Array, want.get(logits)!.data as Float32Array)).toBeLessThan(1e-4);
    });
  }

  it('1.0/224: 569M mult-adds and 4.2M parameters after folding, as in the MobileNet paper', () => {
    const { macs, params } = totalCost(runFloatPasses(generateMobileNetV1({ width: 1, resolution: 224 })));
    expect(Math.round(macs / 1e6)).toBe(569);
    expect(Math.round(params / 1e5) / 10).toBe(4.2);
  });
});
