/* onnx2mcu_blob.c - validating loader for weights.bin (format in onnx2mcu_blob.h). */
#include "onnx2mcu_blob.h"

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint32_t onnx2mcu_crc32(const uint8_t *data, uint32_t size)
{
    uint32_t crc = 0xFFFFFFFFu;
    uint32_t i;
    int bit;
    for (i = 0; i < size; ++i) {
        crc ^= data[i];
        for (bit = 0; bit < 8; ++bit) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

int onnx2mcu_blob_open(const uint8_t *data, uint32_t size, onnx2mcu_blob *blob)
{
    uint32_t total, header, count, alignment, i;
    if (data == 0 || blob == 0) {
        return ONNX2MCU_BLOB_ERR_NULL;
    }
    if (((uintptr_t)(const void *)data & 3u) != 0) {
        return ONNX2MCU_BLOB_ERR_ALIGN;
    }
    if (size < ONNX2MCU_BLOB_HEADER_BYTES) {
        return ONNX2MCU_BLOB_ERR_TRUNCATED;
    }
    if (data[0] != 'O' || data[1] != '2' || data[2] != 'M' || data[3] != 'W') {
        return ONNX2MCU_BLOB_ERR_MAGIC;
    }
    if (read_u32(data + 4) != ONNX2MCU_BLOB_VERSION) {
        return ONNX2MCU_BLOB_ERR_VERSION;
    }
    total = read_u32(data + 8);
    header = read_u32(data + 12);
    count = read_u32(data + 16);
    alignment = read_u32(data + 20);
    if (total > size) {
        return ONNX2MCU_BLOB_ERR_TRUNCATED;
    }
    if (total != size || header != ONNX2MCU_BLOB_HEADER_BYTES) {
        return ONNX2MCU_BLOB_ERR_SIZE;
    }
    /* the table must fit: count * 64 computed without overflow */
    if (count > (total - header) / ONNX2MCU_BLOB_ENTRY_BYTES) {
        return ONNX2MCU_BLOB_ERR_TABLE;
    }
    if (onnx2mcu_crc32(data + header, total - header) != read_u32(data + 24)) {
        return ONNX2MCU_BLOB_ERR_CRC;
    }
    if (alignment < 4 || (alignment & (alignment - 1u)) != 0) {
        return ONNX2MCU_BLOB_ERR_TABLE;
    }
    for (i = 0; i < count; ++i) {
        const uint8_t *e = data + header + i * ONNX2MCU_BLOB_ENTRY_BYTES;
        const uint32_t dtype = read_u32(e + ONNX2MCU_BLOB_NAME_BYTES);
        const uint32_t offset = read_u32(e + ONNX2MCU_BLOB_NAME_BYTES + 4);
        const uint32_t bytes = read_u32(e + ONNX2MCU_BLOB_NAME_BYTES + 8);
        if (e[ONNX2MCU_BLOB_NAME_BYTES - 1] != 0) {
            return ONNX2MCU_BLOB_ERR_TABLE; /* name not NUL-terminated */
        }
        if ((dtype != ONNX2MCU_DTYPE_INT8 && dtype != ONNX2MCU_DTYPE_INT32) || offset % alignment != 0 ||
            offset < header + count * ONNX2MCU_BLOB_ENTRY_BYTES || offset > total || bytes > total - offset ||
            (dtype == ONNX2MCU_DTYPE_INT32 && bytes % 4u != 0)) {
            return ONNX2MCU_BLOB_ERR_TABLE;
        }
    }
    blob->data = data;
    blob->size = total;
    blob->tensor_count = count;
    return ONNX2MCU_BLOB_OK;
}

static int name_equals(const uint8_t *entry_name, const char *name)
{
    uint32_t i;
    for (i = 0; i < ONNX2MCU_BLOB_NAME_BYTES; ++i) {
        if ((char)entry_name[i] != name[i]) {
            return 0;
        }
        if (name[i] == '\0') {
            return 1;
        }
    }
    return 0;
}

const void *onnx2mcu_blob_find(const onnx2mcu_blob *blob, const char *name, uint32_t dtype, uint32_t bytes)
{
    uint32_t i;
    if (blob == 0 || blob->data == 0 || name == 0) {
        return 0;
    }
    for (i = 0; i < blob->tensor_count; ++i) {
        const uint8_t *e = blob->data + ONNX2MCU_BLOB_HEADER_BYTES + i * ONNX2MCU_BLOB_ENTRY_BYTES;
        if (name_equals(e, name)) {
            if (read_u32(e + ONNX2MCU_BLOB_NAME_BYTES) != dtype || read_u32(e + ONNX2MCU_BLOB_NAME_BYTES + 8) != bytes) {
                return 0;
            }
            return blob->data + read_u32(e + ONNX2MCU_BLOB_NAME_BYTES + 4);
        }
    }
    return 0;
}

/* The sum of |w| over one output channel's weights (at most 128 * weight_count: fits 64 bits). */
static int64_t channel_abs_sum(const onnx2mcu_blob_bounds *b, const int8_t *w, uint32_t channel)
{
    const uint32_t outer = b->weight_count / (b->channels * b->channel_stride);
    int64_t sum = 0;
    uint32_t o, k;
    for (o = 0; o < outer; ++o) {
        const int8_t *row = w + ((size_t)o * b->channels + channel) * b->channel_stride;
        for (k = 0; k < b->channel_stride; ++k) {
            sum += row[k] < 0 ? -(int32_t)row[k] : row[k];
        }
    }
    return sum;
}

int onnx2mcu_blob_check_layer(const onnx2mcu_blob_bounds *bounds, const onnx2mcu_layer_data *data)
{
    const int64_t int32_max = 2147483647;
    const int64_t zp_in = bounds->input_zero_point < 0 ? -(int64_t)bounds->input_zero_point : bounds->input_zero_point;
    const int64_t zp_out = bounds->output_zero_point < 0 ? -(int64_t)bounds->output_zero_point : bounds->output_zero_point;
    uint32_t c;
    if (bounds->channels == 0 || bounds->channel_stride == 0 ||
        bounds->weight_count % (bounds->channels * bounds->channel_stride) != 0) {
        return ONNX2MCU_BLOB_ERR_RANGE; /* a table the emitter cannot have written */
    }
    for (c = 0; c < bounds->channels; ++c) {
        const int32_t m = data->multiplier[c];
        const int32_t s = data->shift[c];
        const int64_t sum = channel_abs_sum(bounds, data->weights, c);
        const int64_t acc = (data->bias[c] < 0 ? -(int64_t)data->bias[c] : data->bias[c]) + 128 * sum;
        /* A zero multiplier gives 0 whatever the shift, but the fast path still shifts right by -shift. */
        const int32_t shift_max = (m == 0 && bounds->shift_max < 0) ? 0 : bounds->shift_max;
        int64_t scaled, requantized;
        if (m < 0 || (m != 0 && m < 0x40000000)) {
            return ONNX2MCU_BLOB_ERR_RANGE;
        }
        if (s < bounds->shift_min || s > shift_max) {
            return ONNX2MCU_BLOB_ERR_RANGE;
        }
        if (acc + zp_in * sum > int32_max || acc > bounds->acc_limit) {
            return ONNX2MCU_BLOB_ERR_RANGE;
        }
        /* |acc * 2^s| before the high multiply, at most 2^31 (a left shift wraps in 32 bits). */
        scaled = s > 0 ? acc << s : acc;
        if (scaled > ((int64_t)1 << 31)) {
            scaled = (int64_t)1 << 31;
        }
        /* srdhm then the rounding right shift: at most |scaled| * m / 2^31 rounded, plus one. */
        requantized = ((scaled * m + ((int64_t)1 << 30)) >> 31) + 1;
        if (requantized + zp_out > int32_max) {
            return ONNX2MCU_BLOB_ERR_RANGE;
        }
    }
    return ONNX2MCU_BLOB_OK;
}
