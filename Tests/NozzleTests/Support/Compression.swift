import CNozzleCompression

/// Compressed bodies for the tests, made with the system's zlib; brotli bodies are fixed bytes
/// (made with Node's zlib.brotliCompressSync), since the app links only brotli's decoder.
enum Compression {
    /// `bytes` as gzip (windowBits 31), zlib-wrapped deflate (15) or raw deflate (-15).
    static func deflate(_ bytes: [UInt8], windowBits: Int32) -> [UInt8] {
        var stream = z_stream()
        precondition(nozzle_deflate_init(&stream, 6, windowBits) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        let produced = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                precondition(CNozzleCompression.deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return out.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }

    static func gzip(_ bytes: [UInt8]) -> [UInt8] { deflate(bytes, windowBits: 31) }

    /// `{"name":"Ada"}` as brotli.
    static let brotliJSON: [UInt8] = [139, 6, 128, 123, 34, 110, 97, 109, 101, 34, 58, 34, 65, 100, 97, 34, 125, 3]
    /// 4 MiB of zero bytes as brotli: 14 bytes.
    static let brotliBomb: [UInt8] = [155, 255, 255, 63, 248, 39, 0, 226, 177, 64, 32, 247, 254, 7]
}
