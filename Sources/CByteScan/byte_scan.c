#include "wai_byte_scan.h"

#include <stdlib.h>
#include <string.h>

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

/* The delimiters that end the cells a digit window may take: before the first stop and the
   first byte that follows a byte of the same cell. */
static inline uint64_t window_ends(wai_cell_bits bits) {
    const uint64_t other = ~bits.delimiters;
    const uint64_t limit = bits.stops | (other & (other << 1));
    return bits.delimiters & (limit ? (limit & (0 - limit)) - 1 : ~(uint64_t)0);
}

int wai_digit_cells_portable(const uint8_t *p, wai_cell_bits bits, int most, uint8_t delimiter,
                             uint8_t levels, uint8_t empty_code, int empty_allowed, uint8_t *out, int *count) {
    uint64_t ends = window_ends(bits);
    int q = -1, k = 0;
    for (; k < most && ends; k++) {
        q = __builtin_ctzll(ends);
        ends &= ends - 1;
        const uint8_t b = q == 0 ? delimiter : p[q - 1];
        if (b == delimiter) {
            if (!empty_allowed) return *count = 0;
            out[k] = empty_code;
        } else {
            const uint8_t digit = (uint8_t)(b - '0');
            if (digit < 1 || digit > levels) return *count = 0;
            out[k] = digit;
        }
    }
    *count = k;
    return q + 1;
}

#if defined(__x86_64__) || defined(__i386__)
#include <tmmintrin.h>

/// Per 8-bit delimiter mask m: lane j takes the byte before m's j-th delimiter from a 16-byte
/// load that starts one byte before the group (0x80 past the last: a zero lane).
static uint8_t gather_before[256][16];
static int has_ssse3;

__attribute__((constructor)) static void fill_gather_before(void) {
    __builtin_cpu_init();
    has_ssse3 = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("popcnt");
    for (int m = 0; m < 256; m++) {
        int lane = 0;
        for (int q = 0; q < 8; q++) {
            if (m & (1 << q)) gather_before[m][lane++] = (uint8_t)q;
        }
        while (lane < 16) gather_before[m][lane++] = 0x80;
    }
}

__attribute__((target("ssse3,popcnt")))
static int digit_cells_ssse3(const uint8_t *p, wai_cell_bits bits, int most, uint8_t delimiter,
                             uint8_t levels, uint8_t empty_code, int empty_allowed, uint8_t *out, int *count) {
    const uint64_t ends = window_ends(bits);
    int cells = __builtin_popcountll(ends);
    if (cells > most) cells = most;
    *count = 0;
    if (cells == 0) return 0;
    const __m128i d = _mm_set1_epi8((char)delimiter);
    const __m128i zero = _mm_set1_epi8('0');
    const __m128i one = _mm_set1_epi8(1);
    const __m128i top = _mm_set1_epi8((char)(levels - 1));
    const __m128i empty = _mm_set1_epi8((char)empty_code);
    const __m128i emptyOK = _mm_set1_epi8(empty_allowed ? (char)0xFF : 0);
    int written = 0, bad = 0, g = 0, here = 0;
    unsigned m = 0;
    for (;; g++) {
        m = (unsigned)(ends >> (8 * g)) & 0xFF;
        __m128i control = _mm_loadu_si128((const __m128i *)(const void *)gather_before[m]);
        __m128i bytes;
        if (g == 0) {
            /* No byte before the window: a delimiter at 0 takes itself (lanes past the last
               then take some byte, never read). */
            bytes = _mm_loadu_si128((const __m128i *)(const void *)p);
            control = _mm_subs_epu8(control, one);
        } else {
            bytes = _mm_loadu_si128((const __m128i *)(const void *)(p + 8 * g - 1));
        }
        const __m128i v = _mm_shuffle_epi8(bytes, control);
        const __m128i isEmpty = _mm_cmpeq_epi8(v, d);
        const __m128i below = _mm_sub_epi8(_mm_sub_epi8(v, zero), one);           /* digit − 1 */
        const __m128i isDigit = _mm_cmpeq_epi8(_mm_min_epu8(below, top), below);  /* ≤ levels − 1 */
        const __m128i code = _mm_or_si128(_mm_and_si128(isEmpty, empty), _mm_andnot_si128(isEmpty, _mm_add_epi8(below, one)));
        const __m128i ok = _mm_or_si128(isDigit, _mm_and_si128(isEmpty, emptyOK));
        here = __builtin_popcount(m);
        if (here > cells - written) here = cells - written;
        bad |= ~_mm_movemask_epi8(ok) & ((1 << here) - 1);
        _mm_storel_epi64((__m128i *)(void *)(out + written), code);
        written += here;
        if (written == cells) break;
    }
    if (bad) return 0;
    /* The last cell's delimiter: group g's here-th set bit. */
    for (int k = 1; k < here; k++) m &= m - 1;
    *count = cells;
    return 8 * g + __builtin_ctz(m) + 1;
}

int wai_digit_cells_64(const uint8_t *p, wai_cell_bits bits, int most, uint8_t delimiter,
                       uint8_t levels, uint8_t empty_code, int empty_allowed, uint8_t *out, int *count) {
    return has_ssse3 ? digit_cells_ssse3(p, bits, most, delimiter, levels, empty_code, empty_allowed, out, count)
                     : wai_digit_cells_portable(p, bits, most, delimiter, levels, empty_code, empty_allowed, out, count);
}
#else
int wai_digit_cells_64(const uint8_t *p, wai_cell_bits bits, int most, uint8_t delimiter,
                       uint8_t levels, uint8_t empty_code, int empty_allowed, uint8_t *out, int *count) {
    return wai_digit_cells_portable(p, bits, most, delimiter, levels, empty_code, empty_allowed, out, count);
}
#endif

wai_cell_table *wai_cell_table_create(void) {
    wai_cell_table *table = malloc(sizeof(wai_cell_table));
    if (!table) abort();
    for (int s = 0; s < WAI_CELL_SLOTS; s++) {
        wai_cell_entry empty = { 0, 0, -1, 0, NULL };
        table->entries[s] = empty;
    }
    table->count = 0;
    return table;
}

void wai_cell_table_destroy(wai_cell_table *table) {
    for (int s = 0; s < WAI_CELL_SLOTS; s++) free(table->entries[s].key);
    free(table);
}

void wai_cell_table_insert(wai_cell_table *table, const uint8_t *p, int64_t n, uint32_t value) {
    if (table->count >= WAI_CELL_LIMIT || n < 0 || n >= INT32_MAX) return;
    /* A short key is read from a copy padded on both sides (the caller's bytes may not be);
       a longer one only within p[0..<n]. */
    uint8_t copy[8 + 16 + 8] = { 0 };
    const uint8_t *key = p;
    if (n <= 16) {
        if (n) memcpy(copy + 8, p, (size_t)n);
        key = copy + 8;
    }
    if (wai_cell_find(table, key, n) >= 0) return;
    uint64_t a, b;
    wai_cell_key(key, n, &a, &b);
    unsigned s = wai_cell_slot(a, b);
    while (table->entries[s].length >= 0) s = (s + 1) & (WAI_CELL_SLOTS - 1);
    wai_cell_entry entry = { a, b, (int32_t)n, value, NULL };
    if (n > 16) {
        entry.key = malloc((size_t)n);
        if (!entry.key) abort();
        memcpy(entry.key, p, (size_t)n);
    }
    table->entries[s] = entry;
    table->count++;
}

/* Out of the label loop, so that the loop keeps its values in registers. */
__attribute__((noinline)) static int64_t find_elsewhere(const wai_cell_table *table, const uint8_t *p, int64_t n) {
    return wai_cell_find(table, p, n);
}

int64_t wai_label_cells(const uint8_t *p, uint8_t delimiter, uint8_t quote, int64_t most,
                        const wai_cell_table *table, uint8_t *codes, const intptr_t *slots, int64_t *count) {
    const wai_cell_entry *entries = table->entries;
    const uint8_t *cell = p;
    int64_t k = 0;
    while (k < most) {
        const uint8_t *window = cell;
        uint64_t ends = wai_ends_before_first_stop(wai_cell_bits_64(window, delimiter, quote));
        if (!ends) break;
        do {
            const uint8_t *end = window + __builtin_ctzll(ends);
            const int64_t t = end - cell;
            int64_t code;
            if (__builtin_expect(t <= 8, 1)) {
                /* The usual label: its first word is its key, and its first slot holds it. */
                const uint64_t a = wai_cell_word(cell) & wai_cell_masks[t];
                const wai_cell_entry *e = &entries[wai_cell_slot(a, 0)];
                code = e->first == a && e->length == t ? (int64_t)e->value : find_elsewhere(table, cell, t);
            } else {
                code = find_elsewhere(table, cell, t);
            }
            if (code < 0) goto done;
            codes[slots[k]] = (uint8_t)code;
            ends &= ends - 1;
            cell = end + 1;
            k++;
        } while (k < most && ends);
    }
done:
    *count = k;
    return cell - p;
}
