/** Test helpers for src/target: why a test must be skipped, and wall-time reporting. */
import { existsSync } from 'node:fs';
import { HAVE_SHARED, sharedPath } from './repo.js';
import { hasTool, TOOL_PACKAGES } from './tools.js';

/** null when every tool is there, else a message naming the missing ones and their packages. */
export function missingTools(tools: readonly string[]): string | null {
  const missing = tools.filter((t) => !hasTool(t));
  return missing.length ? `missing ${missing.join(', ')} (apt-get install ${[...new Set(missing.map((t) => TOOL_PACKAGES[t] ?? t))].join(' ')})` : null;
}

export function missingShared(): string | null {
  if (!HAVE_SHARED) return '../shared not found (set ONNX2MCU_SHARED)';
  if (!existsSync(sharedPath('peers', 'cmsis-nn', 'Include', 'arm_nnfunctions.h'))) return '../shared/peers/cmsis-nn not found';
  return null;
}

/** Prints a skip reason once, so a skipped suite says why. */
export function announceSkip(what: string, reason: string | null): void {
  if (reason) console.warn(`[skip] ${what}: ${reason}`);
}

export async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    console.log(`[time] ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
