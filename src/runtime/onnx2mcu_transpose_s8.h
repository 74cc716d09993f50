/* onnx2mcu_transpose_s8.h - layout changes between NCHW and NHWC. */
#ifndef ONNX2MCU_TRANSPOSE_S8_H
#define ONNX2MCU_TRANSPOSE_S8_H

#include "onnx2mcu_types.h"

/* Layout changes (dims describe the tensor; both buffers hold h * w * c bytes). */
void onnx2mcu_nchw_to_nhwc_s8(const onnx2mcu_dims *d, const int8_t *input, int8_t *output);
void onnx2mcu_nhwc_to_nchw_s8(const onnx2mcu_dims *d, const int8_t *input, int8_t *output);


#endif /* ONNX2MCU_TRANSPOSE_S8_H */
