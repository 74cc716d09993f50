/**
 * The MobileNet v1 paper's figures (Howard et al. 2017, "MobileNets: Efficient Convolutional
 * Neural Networks for Mobile Vision Applications"): Table 6 varies the width multiplier α at
 * resolution 224, Table 7 the resolution ρ at α = 1.0. ImageNet top-1 (%), million mult-adds,
 * million parameters, as printed (1000 classes). Other cells of the sweep grid are not in the paper.
 */
export interface PaperRow {
  readonly table: 'Table 6' | 'Table 7' | 'Tables 6 and 7';
  readonly top1: number;
  readonly macsM: number;
  readonly paramsM: number;
}

const PAPER: readonly (PaperRow & { readonly width: number; readonly resolution: number })[] = [
  { width: 1.0, resolution: 224, table: 'Tables 6 and 7', top1: 70.6, macsM: 569, paramsM: 4.2 },
  { width: 0.75, resolution: 224, table: 'Table 6', top1: 68.4, macsM: 325, paramsM: 2.6 },
  { width: 0.5, resolution: 224, table: 'Table 6', top1: 63.7, macsM: 149, paramsM: 1.3 },
  { width: 0.25, resolution: 224, table: 'Table 6', top1: 50.6, macsM: 41, paramsM: 0.5 },
  { width: 1.0, resolution: 192, table: 'Table 7', top1: 69.1, macsM: 418, paramsM: 4.2 },
  { width: 1.0, resolution: 160, table: 'Table 7', top1: 67.2, macsM: 290, paramsM: 4.2 },
  { width: 1.0, resolution: 128, table: 'Table 7', top1: 64.4, macsM: 186, paramsM: 4.2 },
];

/** The paper's row for α × ρ, when it has one. */
export function paperRow(width: number, resolution: number): PaperRow | undefined {
  const r = PAPER.find((p) => p.width === width && p.resolution === resolution);
  return r ? { table: r.table, top1: r.top1, macsM: r.macsM, paramsM: r.paramsM } : undefined;
}

/** The paper's grid: the defaults of `onnx2mcu sweep`. */
export const PAPER_WIDTHS: readonly number[] = [0.25, 0.5, 0.75, 1.0];
export const PAPER_RESOLUTIONS: readonly number[] = [96, 128, 160, 192, 224];
