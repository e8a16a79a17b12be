// SHA-1's block function on the x86 SHA extensions (SHA-NI), for the entity tags Nozzle computes over
// every body it sends. The Swift implementation in Nozzle/Caching/SHA1.swift does the same work in
// about 1,900 instructions a block; these instructions take about a third of its time. Used only
// when the processor says it has them; elsewhere (another architecture, an older x86, or under
// valgrind, which does not offer them) Nozzle uses the Swift one, and the tests check that both give
// the same digests.
#ifndef NOZZLE_SHA1_H
#define NOZZLE_SHA1_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/// Whether this processor has the SHA extensions, and SSSE3 and SSE4.1, which the code below also uses.
static inline int nozzle_sha1_accelerated(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 9)) || !(c & (1u << 19))) return 0;  // SSSE3, SSE4.1
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & (1u << 29)) != 0;  // SHA
}

/// Four rounds with the round function of `group` (0 to 3: rounds 0-19, 20-39, 40-59, 60-79); the
/// instruction takes the function as an immediate.
__attribute__((target("sha,sse4.1,ssse3")))
static inline __m128i nozzle_sha1_rounds(__m128i abcd, __m128i e, int group) {
    switch (group) {
    case 0: return _mm_sha1rnds4_epu32(abcd, e, 0);
    case 1: return _mm_sha1rnds4_epu32(abcd, e, 1);
    case 2: return _mm_sha1rnds4_epu32(abcd, e, 2);
    default: return _mm_sha1rnds4_epu32(abcd, e, 3);
    }
}

/// Adds `blocks` 64-byte blocks at `data` to the state `h` (five words, h0 to h4). Call it only when
/// nozzle_sha1_accelerated() says so.
__attribute__((target("sha,sse4.1,ssse3")))
static inline void nozzle_sha1_compress(uint32_t h[5], const uint8_t *data, size_t blocks) {
    // Words are big-endian, and the instructions want a group's first word in the highest lane.
    const __m128i reverse = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1B);
    __m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
    for (size_t block = 0; block < blocks; block++, data += 64) {
        const __m128i abcdBefore = abcd, eBefore = e0;
        // w[g % 4]: the four schedule words of group g, kept for the four groups after it.
        __m128i w[4];
        // The state before the previous group's rounds: its A gives this group's E.
        __m128i previous = abcd;
        for (int g = 0; g < 20; g++) {
            __m128i words;
            if (g < 4) {
                words = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * g)), reverse);
            } else {
                // W[t] = rol1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]), four at a time.
                words = _mm_sha1msg2_epu32(
                    _mm_xor_si128(_mm_sha1msg1_epu32(w[g & 3], w[(g - 3) & 3]), w[(g - 2) & 3]), w[(g - 1) & 3]);
            }
            w[g & 3] = words;
            const __m128i e = g == 0 ? _mm_add_epi32(e0, words) : _mm_sha1nexte_epu32(previous, words);
            previous = abcd;
            abcd = nozzle_sha1_rounds(abcd, e, g / 5);
        }
        e0 = _mm_sha1nexte_epu32(previous, eBefore);
        abcd = _mm_add_epi32(abcd, abcdBefore);
    }
    _mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1B));
    h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}
#else
static inline int nozzle_sha1_accelerated(void) { return 0; }
static inline void nozzle_sha1_compress(uint32_t h[5], const uint8_t *data, size_t blocks) { (void)h; (void)data; (void)blocks; }
#endif

#endif
