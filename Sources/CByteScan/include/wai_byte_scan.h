#ifndef WAI_BYTE_SCAN_H
#define WAI_BYTE_SCAN_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Where the cells of 64 bytes end, and where the fast reader must stop.
typedef struct {
    /// Bit j: byte j is the delimiter.
    uint64_t delimiters;
    /// Bit j: byte j is a quote or a control byte below 0x0E (LF and CR are), and not the
    /// delimiter (a tab can be either).
    uint64_t stops;
} wai_cell_bits;

/// The bitmaps of `p[0..<64]`, byte at a time (the reference for the vector version).
wai_cell_bits wai_cell_bits_portable(const uint8_t *p, uint8_t delimiter, uint8_t quote);

/// The bitmaps of `p[0..<64]` (all 64 bytes are read): 16 bytes per SSE2 compare where the
/// target has it. Inline, so that Swift callers compile it into their loop.
static inline wai_cell_bits wai_cell_bits_64(const uint8_t *p, uint8_t delimiter, uint8_t quote) {
#if defined(__SSE2__)
    const __m128i d = _mm_set1_epi8((char)delimiter);
    const __m128i q = _mm_set1_epi8((char)quote);
    const __m128i low = _mm_set1_epi8(0x0D);
    uint64_t delimiters = 0, stops = 0;
    for (int j = 0; j < 4; j++) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * j));
        const __m128i isDelimiter = _mm_cmpeq_epi8(v, d);
        const __m128i below = _mm_cmpeq_epi8(_mm_min_epu8(v, low), v);   /* v <= 0x0D, unsigned */
        const __m128i stop = _mm_andnot_si128(isDelimiter, _mm_or_si128(below, _mm_cmpeq_epi8(v, q)));
        delimiters |= (uint64_t)(uint16_t)_mm_movemask_epi8(isDelimiter) << (16 * j);
        stops |= (uint64_t)(uint16_t)_mm_movemask_epi8(stop) << (16 * j);
    }
    wai_cell_bits bits = { delimiters, stops };
    return bits;
#else
    return wai_cell_bits_portable(p, delimiter, quote);
#endif
}

/// The codes of the first cells of a 64-byte window `bits` describes, up to `most` of them:
/// those before the window's first stop and first cell of two bytes or more, each ending at a
/// delimiter. A cell "1"…"9" has that code, which must be at most `levels`; an empty cell has
/// `empty_code`, or is refused when `empty_allowed` is 0. Returns the bytes the cells took
/// (through the last one's delimiter), their number in `*count` and their codes in `out`
/// (written up to 72 bytes); 0 when there is no such cell or one of them is not a level.
/// Reads `p[0 ..< taken + 15]`.
int wai_digit_cells_64(const uint8_t *p, wai_cell_bits bits, int most, uint8_t delimiter,
                       uint8_t levels, uint8_t empty_code, int empty_allowed, uint8_t *out, int *count);

/// The same, a byte at a time (the reference for the vector version, and its fallback).
int wai_digit_cells_portable(const uint8_t *p, wai_cell_bits bits, int most, uint8_t delimiter,
                             uint8_t levels, uint8_t empty_code, int empty_allowed, uint8_t *out, int *count);

#endif
