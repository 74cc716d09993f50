/**
 * <prefix>_weights.c / .h: every layer's constants as `static const` arrays named after the layer
 * (so the linker keeps them in flash), aligned, behind one public table <prefix>_flash_weights;
 * and the same arrays as blob tensors for weights.bin.
 */
import type { BlobTensor } from '../artifacts/blob.js';
import { cArrayBody, cComment } from '../cgen/c_writer.js';
import type { LoweredModel } from '../lower/lower.js';
import { cNames, dataLayers } from './model_c.js';

/** The blob tensors in table order: per layer with data, its weights, bias, multiplier, shift. */
export function blobTensors(m: LoweredModel): BlobTensor[] {
  return dataLayers(m).flatMap((c) => [
    { name: `${c.ident}.weights`, data: c.data!.weights },
    { name: `${c.ident}.bias`, data: c.data!.bias },
    { name: `${c.ident}.multiplier`, data: c.data!.multiplier },
    { name: `${c.ident}.shift`, data: c.data!.shift },
  ]);
}

export function weightsH(m: LoweredModel, banner: string): string {
  const n = cNames(m.prefix);
  return [
    `/* ${n.weightsHeader} - ${cComment(m.model.name)}: constant tensors (${banner}) */`,
    `#ifndef ${n.P}_WEIGHTS_H`,
    `#define ${n.P}_WEIGHTS_H`,
    '',
    `#include "${n.header}"`,
    '',
    `/* Every layer's arrays in flash, in the form ${m.prefix}_run_with_weights takes. */`,
    `extern const ${n.weightsType} ${n.flashWeights};`,
    '',
    `#endif /* ${n.P}_WEIGHTS_H */`,
    '',
  ].join('\n');
}

export function weightsC(m: LoweredModel, banner: string): string {
  const n = cNames(m.prefix);
  const aligned = `${n.P}_ALIGNED`;
  const out: string[] = [];
  out.push(`/* ${n.weightsSource} - ${cComment(m.model.name)}: constant tensors (${banner}) */`);
  out.push(`#include "${n.weightsHeader}"`, '');
  out.push(
    '/* 16-byte alignment where the compiler can express it: any vector load may read the arrays. */',
    `#if defined(__GNUC__) || defined(__clang__)`,
    `#define ${aligned} __attribute__((aligned(16)))`,
    '#else',
    `#define ${aligned}`,
    '#endif',
    '',
  );
  const layers = dataLayers(m);
  for (const c of layers) {
    const d = c.data!;
    out.push(`/* ${cComment(c.layer.name)} (source: ${cComment(c.layer.origin.join(', '))}): weights ${d.layout.name} [${d.layout.perm.map((a) => d.layout.view[a]).join('x')}]; bias int32 with -zp_in*sum(w) folded in (zp_in = ${d.biasZeroPoint}) */`);
    out.push(`static const int8_t ${c.ident}_weights[${d.weights.length}] ${aligned} = {`, cArrayBody(d.weights, 16), '};');
    out.push(`static const int32_t ${c.ident}_bias[${d.bias.length}] ${aligned} = {`, cArrayBody(d.bias, 8), '};');
    out.push(`static const int32_t ${c.ident}_multiplier[${d.multiplier.length}] ${aligned} = {`, cArrayBody(d.multiplier, 8), '};');
    out.push(`static const int32_t ${c.ident}_shift[${d.shift.length}] ${aligned} = {`, cArrayBody(d.shift, 16), '};', '');
  }
  out.push(`const ${n.weightsType} ${n.flashWeights} = {`, '    .layer = {');
  layers.forEach((c, i) => {
    out.push(`        { .weights = ${c.ident}_weights, .bias = ${c.ident}_bias, .multiplier = ${c.ident}_multiplier, .shift = ${c.ident}_shift }${i + 1 < layers.length ? ',' : ''}`);
  });
  if (layers.length === 0) out.push('        { 0, 0, 0, 0 }');
  out.push('    }', '};', '');
  return out.join('\n');
}
