/**
 * The four TF.js graph models of ../shared/models/tfjs (see its README.md), with the ONNX file of
 * the same weights, the input scaling and the images the tests run them on. Used only by tests.
 */
import { listImages } from '../images/list.js';
import { sharedPath } from '../util/shared.js';

export interface TfjsFixture {
  /** Folder name under ../shared/models/tfjs. */
  readonly name: string;
  readonly dir: string;
  /** The same weights as ONNX. */
  readonly onnx: string;
  readonly scale: 'x/255' | 'x/127.5-1';
  readonly variant: 'fused' | 'plain';
  /** Images for comparisons (all 8 VWW images; the first 8 of imagenet-val128). */
  images(): string[];
}

function fixture(base: 'vww_96_mlcommons' | 'mobilenet_v1_0.25_128_imagenet', variant: 'fused' | 'plain'): TfjsFixture {
  const name = `${base}_${variant}`;
  const vww = base === 'vww_96_mlcommons';
  return {
    name,
    dir: sharedPath('models', 'tfjs', name),
    onnx: sharedPath('models', `${base}.onnx`),
    scale: vww ? 'x/255' : 'x/127.5-1',
    variant,
    images: () => listImages(sharedPath('images', vww ? 'vww' : 'imagenet-val128')).slice(0, 8),
  };
}

export const TFJS_FIXTURES: readonly TfjsFixture[] = [
  fixture('vww_96_mlcommons', 'fused'),
  fixture('vww_96_mlcommons', 'plain'),
  fixture('mobilenet_v1_0.25_128_imagenet', 'fused'),
  fixture('mobilenet_v1_0.25_128_imagenet', 'plain'),
];
