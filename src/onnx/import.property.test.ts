/**
 * Random mutations of a real model file (issue 14): whatever the bytes, importing ends in a graph
 * or in one UserError line naming the file — never another exception, a hang or an allocation
 * the size of a lie in the file. The model is MobileNet v1 0.25/32 from the generator (the real
 * models' structure, small enough that each import takes milliseconds). Seeded;
 * ONNX2MCU_PROPERTY_RUNS runs more.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateMobileNetV1 } from '../generate/mobilenet.js';
import { UserError } from '../util/errors.js';
import { exportOnnx } from './export.js';
import { importOnnxBytes } from './import.js';

const RUNS = Number(process.env.ONNX2MCU_PROPERTY_RUNS ?? 500);
const model = exportOnnx(generateMobileNetV1({ width: 0.25, resolution: 32, classes: 3, seed: 14 }));

/** One edit of the file's bytes: overwrite, insert, delete or truncate, at a position anywhere. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('varint' as const), at: fc.nat(), value: fc.constantFrom(0x7f, 0xff, 0x80, 0x00, 0x01) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function apply(bytes: Uint8Array, e: Edit): Uint8Array {
  const at = e.at % (bytes.length + 1);
  switch (e.kind) {
    case 'set': {
      const out = Uint8Array.from(bytes);
      out.set(e.bytes.subarray(0, Math.max(0, out.length - at)), at);
      return out;
    }
    case 'varint': {
      const out = Uint8Array.from(bytes);
      if (at < out.length) out[at] = e.value;
      return out;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), e.bytes, bytes.subarray(at)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + e.count)]);
    case 'truncate':
      return bytes.subarray(0, at);
  }
}

describe('importing a mutated model file', () => {
  it(`ends in a graph or one UserError line naming the file (${RUNS} seeded mutations)`, () => {
    const outcomes = { imported: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const bytes = edits.reduce(apply, model);
        try {
          importOnnxBytes(bytes, { source: 'mutated.onnx' });
          outcomes.imported++;
        } catch (e) {
          expect(e).toBeInstanceOf(UserError);
          const msg = (e as Error).message;
          expect(msg).not.toContain('\n');
          expect(msg.startsWith('mutated.onnx')).toBe(true);
          outcomes.refused++;
        }
      }),
      { seed: 14, numRuns: RUNS },
    );
    // Both happen: the mutations are neither all fatal nor all harmless.
    expect(outcomes.imported).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
