/* The system's zlib and brotli decoders (Debian zlib1g-dev, libbrotli-dev), for request bodies sent
   with Content-Encoding gzip, deflate or br. */
#ifndef NOZZLE_CCOMPRESSION_SHIM_H
#define NOZZLE_CCOMPRESSION_SHIM_H
#include <zlib.h>
#include <brotli/decode.h>

/* inflateInit2 is a macro over inflateInit2_, which Swift cannot call. */
static inline int nozzle_inflate_init(z_stream *stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}
/* deflateInit2 likewise, for tests that make compressed bodies. */
static inline int nozzle_deflate_init(z_stream *stream, int level, int window_bits) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
}
#endif
