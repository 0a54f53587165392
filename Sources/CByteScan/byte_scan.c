#include "wai_byte_scan.h"

wai_cell_bits wai_cell_bits_portable(const uint8_t *p, uint8_t delimiter, uint8_t quote) {
    wai_cell_bits bits = { 0, 0 };
    for (int j = 0; j < 64; j++) {
        const uint8_t b = p[j];
        if (b == delimiter) {
            bits.delimiters |= (uint64_t)1 << j;
        } else if (b == quote || b < 0x0E) {
            bits.stops |= (uint64_t)1 << j;
        }
    }
    return bits;
}
