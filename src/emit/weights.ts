/**
 * weights.c / weights.h: every layer's constants as `const` arrays named after the layer (so the
 * linker keeps them in flash), aligned; and the same arrays as blob tensors for weights.bin.
 */
import type { BlobTensor } from './blob.js';
import { cArrayBody, cComment } from '../cgen/c_writer.js';
import type { CLayer, LoweredModel } from '../lower/lower.js';

const ALIGN_MACRO = `#ifndef ONNX2MCU_ALIGNED
#if defined(__GNUC__) || defined(__clang__)
#define ONNX2MCU_ALIGNED __attribute__((aligned(16)))
#else
#define ONNX2MCU_ALIGNED
#endif
#endif`;

/** Layers that carry constant tensors (conv, depthwise, fully connected). */
export const hasData = (c: CLayer) => c.weights !== undefined;

/** The blob tensors in table order: per layer weights, bias, multiplier, shift. */
export function blobTensors(m: LoweredModel): BlobTensor[] {
  return m.layers.filter(hasData).flatMap((c) => [
    { name: `${c.ident}.weights`, data: c.weights! },
    { name: `${c.ident}.bias`, data: c.bias! },
    { name: `${c.ident}.multiplier`, data: c.multiplier! },
    { name: `${c.ident}.shift`, data: c.shift! },
  ]);
}

export function weightsH(m: LoweredModel, banner: string): string {
  const out: string[] = [];
  out.push(`/* weights.h - ${cComment(m.model.name)}: constant tensors (${banner}) */`);
  out.push('#ifndef MODEL_WEIGHTS_H', '#define MODEL_WEIGHTS_H', '', '#include <stdint.h>', '#include "model.h"', '');
  for (const c of m.layers.filter(hasData)) {
    out.push(`extern const int8_t ${c.ident}_weights[${c.weights!.length}];`);
    out.push(`extern const int32_t ${c.ident}_bias[${c.bias!.length}];`);
    out.push(`extern const int32_t ${c.ident}_multiplier[${c.multiplier!.length}];`);
    out.push(`extern const int32_t ${c.ident}_shift[${c.shift!.length}];`);
  }
  out.push('', '/* Pointers to the arrays above, in the form model_run_with_weights takes. */');
  out.push('extern const model_weights_t model_flash_weights;', '', '#endif /* MODEL_WEIGHTS_H */', '');
  return out.join('\n');
}

/** The kernel layout of a layer's weights, as its op's emitter names it. */
function weightLayout(c: CLayer): string {
  if (!c.emitter.weightLayout) throw new Error(`layer '${c.layer.name}': kernel ${c.kernel} has weights but no weight layout`);
  return c.emitter.weightLayout(c);
}

export function weightsC(m: LoweredModel, banner: string): string {
  const out: string[] = [];
  out.push(`/* weights.c - ${cComment(m.model.name)}: constant tensors (${banner}) */`);
  out.push('#include "weights.h"', '', ALIGN_MACRO, '');
  for (const c of m.layers.filter(hasData)) {
    out.push(`/* ${cComment(c.layer.name)} (ONNX: ${cComment(c.layer.origin.join(', '))}): weights ${weightLayout(c)}; bias int32 with -zp_in*sum(w) folded in (zp_in = ${c.layer.inputQ.zeroPoint}) */`);
    out.push(`const int8_t ${c.ident}_weights[${c.weights!.length}] ONNX2MCU_ALIGNED = {`, cArrayBody(c.weights!, 16), '};');
    out.push(`const int32_t ${c.ident}_bias[${c.bias!.length}] ONNX2MCU_ALIGNED = {`, cArrayBody(c.bias!, 8), '};');
    out.push(`const int32_t ${c.ident}_multiplier[${c.multiplier!.length}] ONNX2MCU_ALIGNED = {`, cArrayBody(c.multiplier!, 8), '};');
    out.push(`const int32_t ${c.ident}_shift[${c.shift!.length}] ONNX2MCU_ALIGNED = {`, cArrayBody(c.shift!, 16), '};', '');
  }
  const withData = m.layers.filter(hasData);
  out.push('const model_weights_t model_flash_weights = {');
  withData.forEach((c, i) => {
    out.push(`    { ${c.ident}_weights, ${c.ident}_bias, ${c.ident}_multiplier, ${c.ident}_shift }${i + 1 < withData.length ? ',' : ''}`);
  });
  if (withData.length === 0) out.push('    0');
  out.push('};', '');
  return out.join('\n');
}
