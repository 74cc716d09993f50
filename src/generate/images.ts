/**
 * Synthetic calibration images, for when no real images are at hand (a clone without ../shared):
 * seeded PNGs of smooth colour gradients, blobs and a little noise — enough variety to give every
 * activation a plausible range. Real images calibrate better; `make convert` says which it used.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../util/atomic_write.js';
import { SeededRandom } from '../util/random.js';

/** One synthetic h × w RGB image (HWC uint8). */
export function syntheticImage(h: number, w: number, rng: SeededRandom): Uint8Array {
  const px = new Uint8Array(h * w * 3);
  const base = [0, 1, 2].map(() => rng.uniform(30, 220));
  const gx = [0, 1, 2].map(() => rng.uniform(-120, 120));
  const gy = [0, 1, 2].map(() => rng.uniform(-120, 120));
  const blobs = Array.from({ length: 3 }, () => ({
    cy: rng.uniform(0, h), cx: rng.uniform(0, w), r: rng.uniform(0.1, 0.4) * Math.min(h, w),
    colour: [0, 1, 2].map(() => rng.uniform(-100, 100)),
  }));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let v = base[c] + (gx[c] * x) / w + (gy[c] * y) / h + rng.normal() * 8;
        for (const b of blobs) if ((y - b.cy) ** 2 + (x - b.cx) ** 2 < b.r ** 2) v += b.colour[c];
        px[(y * w + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return px;
}

/** Writes `count` synthetic PNGs (synthetic_000.png, ...) of h × w into `dir`; returns their paths. */
export async function writeSyntheticImages(dir: string, count: number, size: readonly [number, number], seed = 1): Promise<string[]> {
  const rng = new SeededRandom(seed);
  const [h, w] = size;
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = join(dir, `synthetic_${String(i).padStart(3, '0')}.png`);
    const png = await sharp(Buffer.from(syntheticImage(h, w, rng)), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    writeFileAtomic(p, png);
    paths.push(p);
  }
  return paths;
}
