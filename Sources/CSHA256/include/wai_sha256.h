#ifndef WAI_SHA256_H
#define WAI_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// Compresses `blocks` whole 64-byte blocks of `data` into `state` (SHA-256, FIPS 180-4):
/// with the x86 SHA extensions when the processor has them, portable C otherwise.
void wai_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/// The portable C compression alone (tests compare it with the accelerated one).
void wai_sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks);

/// 1 when `wai_sha256_blocks` uses the SHA extensions on this processor.
int wai_sha256_accelerated(void);

#endif
