/**
 * The hand-written C runtime (this folder), as files the emitter copies into a model's output:
 * every file name starts with 'onnx2mcu_' and every symbol, type and macro with 'onnx2mcu_' /
 * 'ONNX2MCU_'; a model is emitted with its own prefix instead (withPrefix), so two models link
 * into one firmware image.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUNTIME_DIR = dirname(fileURLToPath(import.meta.url));

/** Headers every model needs whatever its kernels: shared types, the requantization arithmetic, the blob loader. */
export const COMMON_RUNTIME: readonly string[] = ['onnx2mcu_types.h', 'onnx2mcu_arith.h', 'onnx2mcu_blob.h', 'onnx2mcu_blob.c'];

/** A runtime file's text. */
export function runtimeFile(name: string): string {
  return readFileSync(join(RUNTIME_DIR, name), 'utf8');
}

/** Every .c file of the runtime, as absolute paths (the runtime's own tests compile them all). */
export function runtimeSources(): string[] {
  return readdirSync(RUNTIME_DIR).filter((f) => f.endsWith('.c')).sort().map((f) => join(RUNTIME_DIR, f));
}

/** `text` with the runtime's 'onnx2mcu_' / 'ONNX2MCU_' namespace replaced by `prefix`'s. */
export function withPrefix(text: string, prefix: string): string {
  return text.replace(/onnx2mcu_/g, `${prefix}_`).replace(/ONNX2MCU_/g, `${prefix.toUpperCase()}_`);
}

/** A runtime file's name in a model's output ('onnx2mcu_conv_s8.c' → 'vww_conv_s8.c'). */
export function prefixedName(name: string, prefix: string): string {
  return withPrefix(name, prefix);
}
