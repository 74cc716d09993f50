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
 */
#ifndef ONNX2MCU_BLOB_H
#define ONNX2MCU_BLOB_H

#include <stddef.h>
#include <stdint.h>

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
    ONNX2MCU_BLOB_ERR_MISSING = -9    /* a tensor the model needs is absent or has the wrong size */
};

typedef struct {
    const uint8_t *data;
    uint32_t size;
    uint32_t tensor_count;
} onnx2mcu_blob;

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
