/** Images: decoding, the standard preprocessing, .npy tensors and image lists. */
export { decodeImage, decodeImageBytes, sniffImageFormat, type RgbImage } from './decode.js';
export { centralCrop, centralCropWindow, CENTRAL_FRACTION } from './crop.js';
export { resizeBilinear, bilinearTaps, roundToUint8, type FloatRgbImage } from './resize.js';
export { parseScale, scaleToNchw, DEFAULT_SCALE, type PixelScale } from './scale.js';
export { loadImageTensor, loadPixelsUint8, preprocessPixels, type LoadImageOptions } from './load.js';
export { readNpy, writeNpy, parseNpy, encodeNpy } from './npy.js';
export { listImages, readImageCsv, isImageFileName, splitCsvLine, type CsvImageRow } from './list.js';
