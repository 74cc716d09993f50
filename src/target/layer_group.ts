/**
 * Layer groups of a MobileNet v1 for the side-by-side table: the first (3x3) convolution, the
 * depthwise convolutions, the pointwise (1x1) convolutions, and the pool + classifier.
 */
export type LayerGroup = 'first conv' | 'depthwise' | 'pointwise' | 'pool + fc' | 'other';

export const LAYER_GROUPS: readonly LayerGroup[] = ['first conv', 'depthwise', 'pointwise', 'pool + fc', 'other'];

export function layerGroup(layer: { readonly op: string; readonly kernel?: readonly number[] }, index: number): LayerGroup {
  if (layer.op === 'depthwise_conv2d') return 'depthwise';
  if (layer.op === 'conv2d') {
    const k = layer.kernel ?? [1, 1];
    if (k[0] === 1 && k[1] === 1) return 'pointwise';
    return index === 0 ? 'first conv' : 'other';
  }
  if (layer.op === 'average_pool' || layer.op === 'global_average_pool' || layer.op === 'fully_connected') return 'pool + fc';
  return 'other';
}
