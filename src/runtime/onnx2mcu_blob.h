/*
 * onnx2mcu_blob.h - loader for weights.bin, the weights as one blob (for models read from storage).
 *
 * Layout (all integers little-endian uint32):
 *   header, 32 bytes: magic "O2MW", version, total_size, header_size (32), tensor_count,
 *                     alignment, crc32, reserved (0)
 *   table, tensor_count entries of 64 bytes: name (48 bytes, NUL-padded), dtype (1 int8, 2 int32),
 *                     offset (from the blob start, a multiple of alignment), bytes, reserved (0)
 *   data: each tensor at its offset, zero padding between tensors.
 * crc32 (IEEE 802.3, as zlib) covers every byte after the header: table and data.
 *
 * onnx2mcu_blob_open validates everything before anything is read through the table: a bad magic,
 * version, size, checksum or table gives a negative error code, never an out-of-bounds read.
 *
 * A CRC only says the bytes are the ones that were written, not that they are values the kernels
 * can take: onnx2mcu_blob_check_layer then checks every value a kernel relies on against the
 * bounds the emitter proved for that layer (its model.c holds them, one onnx2mcu_blob_bounds per
 * layer, derived from the same description that printed the flash arrays; src/emit/blob_bounds.ts).
 */
#ifndef ONNX2MCU_BLOB_H
#define ONNX2MCU_BLOB_H

#include <stddef.h>
#include <stdint.h>
#include "onnx2mcu_types.h"

#define ONNX2MCU_BLOB_VERSION 1u
#define ONNX2MCU_BLOB_HEADER_BYTES 32u
#define ONNX2MCU_BLOB_ENTRY_BYTES 64u
#define ONNX2MCU_BLOB_NAME_BYTES 48u
#define ONNX2MCU_DTYPE_INT8 1u
#define ONNX2MCU_DTYPE_INT32 2u

enum {
    ONNX2MCU_BLOB_OK = 0,
    ONNX2MCU_BLOB_ERR_NULL = -1,      /* null pointer */
    ONNX2MCU_BLOB_ERR_TRUNCATED = -2, /* shorter than the header or than total_size */
    ONNX2MCU_BLOB_ERR_MAGIC = -3,
    ONNX2MCU_BLOB_ERR_VERSION = -4,
    ONNX2MCU_BLOB_ERR_SIZE = -5,      /* total_size differs from the buffer size, or bad header_size */
    ONNX2MCU_BLOB_ERR_CRC = -6,
    ONNX2MCU_BLOB_ERR_TABLE = -7,     /* an entry out of bounds, misaligned or with a bad dtype */
    ONNX2MCU_BLOB_ERR_ALIGN = -8,     /* the buffer itself is not aligned to 4 bytes */
    ONNX2MCU_BLOB_ERR_MISSING = -9,   /* a tensor the model needs is absent or has the wrong size */
    ONNX2MCU_BLOB_ERR_RANGE = -10     /* a multiplier, shift or bias outside what the layer's kernel may take */
};

typedef struct {
    const uint8_t *data;
    uint32_t size;
    uint32_t tensor_count;
} onnx2mcu_blob;

/*
 * What the emitter proved of one layer's constants, and so what its kernel relies on. The weights
 * are `weight_count` int8 values in the kernel's layout, in which weight (outer, channel, inner) is
 * at (outer * channels + channel) * channel_stride + inner. For every output channel c, with
 * S = sum of |weights| of the channel and A = |bias[c]| + 128 * S (the largest |accumulator|:
 * inputs and padding are int8 values):
 *   multiplier[c] is 0 or in [2^30, 2^31)              (the Q31 form of a multiplier)
 *   shift_min <= shift[c] <= shift_max                   (the shifts the arithmetic defines:
 *                                                        [-31, 30] for onnx2mcu_mbqm; [-30, -1] on a
 *                                                        fast-path layer, whose rounding computes
 *                                                        1 << -shift; a zero multiplier may have 0)
 *   A + |input_zero_point| * S <= INT32_MAX             (the emitter's accumulator bound)
 *   A <= acc_limit                                      (2^30 - 1 on a fast-path layer)
 *   the requantized value plus output_zero_point fits int32.
 */
typedef struct {
    uint32_t weight_count;
    uint32_t channels;
    uint32_t channel_stride;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t acc_limit;
    int32_t shift_min;
    int32_t shift_max;
} onnx2mcu_blob_bounds;

/* ONNX2MCU_BLOB_OK when every value of `data` is within `bounds`, else ONNX2MCU_BLOB_ERR_RANGE. */
int onnx2mcu_blob_check_layer(const onnx2mcu_blob_bounds *bounds, const onnx2mcu_layer_data *data);

/* CRC-32 (IEEE, reflected, init and final xor 0xFFFFFFFF), bitwise: no table in flash. */
uint32_t onnx2mcu_crc32(const uint8_t *data, uint32_t size);

/* Validates `data` (size bytes) and fills `blob`. Returns ONNX2MCU_BLOB_OK or an error code. */
int onnx2mcu_blob_open(const uint8_t *data, uint32_t size, onnx2mcu_blob *blob);

/*
 * The tensor called `name` with the given dtype and byte size, or a null pointer if there is none.
 * Only valid on a blob that onnx2mcu_blob_open accepted.
 */
const void *onnx2mcu_blob_find(const onnx2mcu_blob *blob, const char *name, uint32_t dtype, uint32_t bytes);

#endif /* ONNX2MCU_BLOB_H */
