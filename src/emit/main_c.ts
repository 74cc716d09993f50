/** An example firmware-style main.c: one image in, the top class out. */
import { cComment, cString } from '../cgen/c_writer.js';
import type { LoweredModel } from '../lower/lower.js';
import { cNames } from './model_c.js';

export function mainC(m: LoweredModel, labels: readonly string[] | undefined, banner: string, streamed = false): string {
  const q = m.model;
  const { P, header } = cNames(m.prefix);
  const p = m.prefix;
  const useLabels = labels !== undefined && labels.length === q.output.shape.reduce((a, b) => a * b, 1);
  const lines = [
    `/*`,
    ` * main.c - example: run ${cComment(q.name)} on one image and print the top class (${banner}).`,
    ` *`,
    ` * Build on a host:  cc -std=c99 -O2 -I. *.c -o model_demo`,
    ` * Run:             ./model_demo image.rgb   (${P}_INPUT_H x ${P}_INPUT_W x ${P}_INPUT_C raw`,
    ` *                  uint8 pixels, interleaved; without a file a test pattern is used)`,
    streamed
      ? ` * On a microcontroller, let read_pixel_row take each row from the camera as it arrives and drop
 * pixels[]: this runner streams its first layers and never needs the whole image.`
      : ` * On a microcontroller, fill pixels[] from the camera instead of a file and keep the rest (or
 * write the camera's pixels straight to ${p}_input() as int8 and drop pixels[]).`,
    ` */`,
    '#include <stdio.h>',
    `#include "${header}"`,
    '',
    `static uint8_t pixels[${P}_INPUT_SIZE];`,
    `static int8_t output[${P}_OUTPUT_SIZE];`,
    '',
    ...(useLabels
      ? [`static const char *const labels[${P}_OUTPUT_SIZE] = {`, ...labels.map((l, i) => `    ${cString(l)}${i + 1 < labels.length ? ',' : ''}`), '};', '']
      : []),
    ...(streamed
      ? [
        '/* The row reader: one row of camera pixels to the int8 row the first layer reads. A camera',
        ' * driver would hand over the row it just captured instead. */',
        'static void read_pixel_row(void *ctx, int32_t row, int8_t *dst)',
        '{',
        `    ${p}_input_row_from_pixels((const uint8_t *)ctx + row * ${P}_INPUT_ROW_BYTES, dst);`,
        '}',
        '',
      ]
      : []),
    'int main(int argc, char **argv)',
    '{',
    '    int32_t i, best = 0;',
    '    if (argc > 1) {',
    '        FILE *f = fopen(argv[1], "rb");',
    '        if (f == NULL || fread(pixels, 1, sizeof pixels, f) != sizeof pixels) {',
    `            fprintf(stderr, "cannot read %d bytes of pixels from %s\\n", ${P}_INPUT_SIZE, argv[1]);`,
    '            if (f != NULL) {',
    '                fclose(f);',
    '            }',
    '            return 1;',
    '        }',
    '        fclose(f);',
    '    } else {',
    `        for (i = 0; i < ${P}_INPUT_SIZE; ++i) {`,
    '            pixels[i] = (uint8_t)((i * 7) & 0xFF); /* a test pattern */',
    '        }',
    '    }',
    ...(streamed
      ? [
        `    /* the runner asks for the input a row at a time (read_pixel_row): it is never whole in the arena */`,
        `    if (${p}_run_rows(read_pixel_row, pixels, output) != ${P}_OK) {`,
        `        fprintf(stderr, "${p}_run_rows failed\\n");`,
        '        return 1;',
        '    }',
      ]
      : [
        `    ${p}_input_from_pixels(pixels, ${p}_input()); /* the input lives in the arena */`,
        `    if (${p}_invoke(output) != ${P}_OK) {`,
        `        fprintf(stderr, "${p}_invoke failed\\n");`,
        '        return 1;',
        '    }',
      ]),
    `    for (i = 1; i < ${P}_OUTPUT_SIZE; ++i) {`,
    '        if (output[i] > output[best]) {',
    '            best = i;',
    '        }',
    '    }',
    useLabels
      ? '    printf("top class: %ld (%s), raw output %d\\n", (long)best, labels[best], output[best]);'
      : '    printf("top class: %ld, raw output %d\\n", (long)best, output[best]);',
    '    return 0;',
    '}',
    '',
  ];
  return lines.join('\n');
}
