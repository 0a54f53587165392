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

/// The delimiters of a window before its first stop: the ends of the cells the fast reader takes.
static inline uint64_t wai_ends_before_first_stop(wai_cell_bits bits) {
    return bits.stops ? bits.delimiters & ((bits.stops & (0 - bits.stops)) - 1) : bits.delimiters;
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

/// A small open-addressing map from a cell's exact bytes to a value (a level's code, a group's
/// number), with a bounded size: the fast reader's memory of the cells it has met. Keys are
/// compared by their length and their first and last 8 bytes (which cover every byte of keys up
/// to 16 bytes), longer keys also byte by byte. One entry is half a cache line.
typedef struct {
    uint64_t first;
    /// 0 for keys of 8 bytes or fewer.
    uint64_t last;
    /// -1: empty.
    int32_t length;
    uint32_t value;
    /// A copy of the key when it is longer than 16 bytes.
    uint8_t *key;
} wai_cell_entry;

enum { WAI_CELL_SLOTS = 1024, WAI_CELL_LIMIT = 700 };

typedef struct {
    wai_cell_entry entries[WAI_CELL_SLOTS];
    int count;
} wai_cell_table;

wai_cell_table *wai_cell_table_create(void);
void wai_cell_table_destroy(wai_cell_table *table);
/// Adds `p[0..<n]` → `value` (the empty cell too); nothing once the table holds WAI_CELL_LIMIT
/// keys. Reads only `p[0..<n]`.
void wai_cell_table_insert(wai_cell_table *table, const uint8_t *p, int64_t n, uint32_t value);

/// Bytes 0..<n of a little-endian word, n = 0…8.
static const uint64_t wai_cell_masks[9] = {
    0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, ~0ull,
};

static inline uint64_t wai_cell_word(const uint8_t *p) {
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/// The first 8 bytes of `p[0..<n]`, masked to `n` bytes, and the last 8 when n > 8 (else 0).
/// Reads up to 8 bytes before and after the key, without a branch on the length: the caller's
/// buffers are padded on both sides.
static inline void wai_cell_key(const uint8_t *p, int64_t n, uint64_t *first, uint64_t *last) {
    const uint64_t v = wai_cell_word(p + n - 8);
    *first = wai_cell_word(p) & wai_cell_masks[n < 8 ? n : 8];
    *last = n > 8 ? v : 0;
}

/// A key's first slot. It leaves the length out: the first word of a key of 8 bytes or fewer
/// determines it (the fast reader's cells hold no zero byte), so those keys hash by one multiply.
static inline unsigned wai_cell_slot(uint64_t first, uint64_t last) {
    const uint64_t h = (first ^ (last >> 7) ^ (last << 13)) * 0x9E3779B97F4A7C15ull;
    return (unsigned)(h >> 54);   /* 10 bits: WAI_CELL_SLOTS */
}

/// The value of `p[0..<n]`, or -1 when the table does not hold it.
static inline int64_t wai_cell_find(const wai_cell_table *table, const uint8_t *p, int64_t n) {
    uint64_t a, b;
    wai_cell_key(p, n, &a, &b);
    for (unsigned s = wai_cell_slot(a, b);; s = (s + 1) & (WAI_CELL_SLOTS - 1)) {
        const wai_cell_entry *e = &table->entries[s];
        if (e->length < 0) return -1;
        if (e->length == n && e->first == a && e->last == b
            && (n <= 16 || __builtin_memcmp(e->key, p, (unsigned long)n) == 0)) {
            return e->value;
        }
    }
}

/// Codes the cells of a run of up to `most` item cells from `p`, a 64-byte window at a time:
/// each cell ends at a delimiter before its window's first stop (see `wai_cell_bits`) and is a
/// key of `table` (the empty cell and one-byte cells included). Stops before the first other
/// cell. Writes the k-th cell's code to `codes[slots[k]]`; returns the bytes the cells took
/// (through the last one's delimiter) and their number in `*count`.
int64_t wai_label_cells(const uint8_t *p, uint8_t delimiter, uint8_t quote, int64_t most,
                        const wai_cell_table *table, uint8_t *codes, const intptr_t *slots, int64_t *count);

#endif
