/**
 * The CMSIS-NN library for the peer, compiled from ../shared/peers/cmsis-nn in place (never copied):
 * the int8 (_s8) kernels the wrappers of cmsis_nn_peer.ts can dispatch to, their buffer-size
 * functions and support functions. Built with the same compiler and flags as ours, strict flags
 * included: with arm-none-eabi-gcc 12.2 and -std=c99 -Wall -Wextra -Werror -pedantic every one of
 * these files compiles clean for all five CPUs. The archive is built once per CPU per work folder
 * and linked with --gc-sections, so only what the model calls ends up in the image.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from './repo.js';
import type { Board } from './boards.js';
import { buildLibrary } from './cross_build.js';
import { TargetError } from './tools.js';

export const CMSIS_NN_SOURCES: readonly string[] = [
  'ConvolutionFunctions/arm_convolve_wrapper_s8.c',
  'ConvolutionFunctions/arm_convolve_s8.c',
  'ConvolutionFunctions/arm_convolve_1x1_s8.c',
  'ConvolutionFunctions/arm_convolve_1x1_s8_fast.c',
  'ConvolutionFunctions/arm_convolve_1_x_n_s8.c',
  'ConvolutionFunctions/arm_convolve_get_buffer_sizes_s8.c',
  'ConvolutionFunctions/arm_depthwise_conv_wrapper_s8.c',
  'ConvolutionFunctions/arm_depthwise_conv_3x3_s8.c',
  'ConvolutionFunctions/arm_depthwise_conv_s8.c',
  'ConvolutionFunctions/arm_depthwise_conv_s8_opt.c',
  'ConvolutionFunctions/arm_depthwise_conv_get_buffer_sizes_s8.c',
  'ConvolutionFunctions/arm_nn_depthwise_conv_s8_core.c',
  'ConvolutionFunctions/arm_nn_mat_mult_s8.c',
  'ConvolutionFunctions/arm_nn_mat_mult_kernel_s8_s16.c',
  'ConvolutionFunctions/arm_nn_mat_mult_kernel_row_offset_s8_s16.c',
  'FullyConnectedFunctions/arm_fully_connected_s8.c',
  'FullyConnectedFunctions/arm_fully_connected_per_channel_s8.c',
  'FullyConnectedFunctions/arm_fully_connected_get_buffer_sizes_s8.c',
  'FullyConnectedFunctions/arm_vector_sum_s8.c',
  'NNSupportFunctions/arm_nn_depthwise_conv_nt_t_padded_s8.c',
  'NNSupportFunctions/arm_nn_depthwise_conv_nt_t_s8.c',
  'NNSupportFunctions/arm_nn_mat_mul_core_1x_s8.c',
  'NNSupportFunctions/arm_nn_mat_mul_core_4x_s8.c',
  'NNSupportFunctions/arm_nn_mat_mult_nt_t_s8.c',
  'NNSupportFunctions/arm_nn_mat_mult_nt_t_s8_s32.c',
  'NNSupportFunctions/arm_nn_vec_mat_mult_t_per_ch_s8.c',
  'NNSupportFunctions/arm_nn_vec_mat_mult_t_s8.c',
  'NNSupportFunctions/arm_q7_to_q15_with_offset.c',
  'NNSupportFunctions/arm_s8_to_s16_unordered_with_offset.c',
  'PoolingFunctions/arm_avgpool_s8.c',
  'PoolingFunctions/arm_avgpool_get_buffer_sizes_s8.c',
  'TransposeFunctions/arm_transpose_s8.c',
];

export function cmsisNnDir(dir?: string): string {
  const d = dir ?? process.env.ONNX2MCU_CMSIS_NN ?? sharedPath('peers', 'cmsis-nn');
  if (!existsSync(join(d, 'Include', 'arm_nnfunctions.h'))) throw new TargetError(`CMSIS-NN not found at ${d} (expected Include/arm_nnfunctions.h; set ONNX2MCU_CMSIS_NN)`);
  return d;
}

export async function buildCmsisNn(board: Board, work: string, dir?: string): Promise<{ archive: string; objects: string[]; include: string }> {
  const root = cmsisNnDir(dir);
  const include = join(root, 'Include');
  const lib = await buildLibrary(board, 'cmsisnn', CMSIS_NN_SOURCES.map((s) => join(root, 'Source', s)), [include], join(work, 'lib'));
  return { ...lib, include };
}
