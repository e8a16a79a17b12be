import CNozzleCompression

/// Inflates a request body sent with `Content-Encoding: gzip`, `deflate` (zlib-wrapped or raw) or
/// `br`, a chunk at a time, through the system's zlib and brotli. Output comes out in pieces of at
/// most 64 KiB, so a caller that counts them stops a small bomb long before it is large.
final class BodyDecompressor {
    enum Encoding: String {
        case gzip, deflate, br
    }

    /// The compressed bytes are not valid for their encoding, or end too soon.
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    let encoding: Encoding
    private var zlib: UnsafeMutablePointer<z_stream>?
    private var brotli: OpaquePointer?
    private var ended = false
    private var fed = false
    private var output = [UInt8](repeating: 0, count: 65_536)

    /// A decompressor for `contentEncoding`, or nil when it is not one of gzip, deflate and br.
    init?(contentEncoding: String) {
        guard let encoding = Encoding(rawValue: contentEncoding) else { return nil }
        self.encoding = encoding
        if encoding == .br {
            brotli = BrotliDecoderCreateInstance(nil, nil, nil)
        }
    }

    deinit {
        if let zlib {
            inflateEnd(zlib)
            zlib.deallocate()
        }
        if let brotli { BrotliDecoderDestroyInstance(brotli) }
    }

    /// Decompresses `chunk`, handing each piece of output to `body`.
    func feed(_ chunk: [UInt8], _ body: ([UInt8]) throws -> Void) throws {
        guard !chunk.isEmpty else { return }
        fed = true
        if ended {
            // Bytes after the end of the stream: a body is one stream.
            throw Malformed(description: "data after the end of the \(encoding.rawValue) stream")
        }
        switch encoding {
        case .br: try feedBrotli(chunk, body)
        case .gzip, .deflate: try feedZlib(chunk, body)
        }
    }

    /// The body ended: the compressed stream must have ended too (an empty body is empty).
    func finish() throws {
        guard ended || !fed else { throw Malformed(description: "the \(encoding.rawValue) stream ends too soon") }
    }

    private func feedZlib(_ chunk: [UInt8], _ body: ([UInt8]) throws -> Void) throws {
        if zlib == nil {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // gzip: its header. deflate: zlib-wrapped when the first two bytes are a zlib header, raw otherwise.
            var windowBits: Int32 = 15 + 16
            if encoding == .deflate {
                let zlibWrapped = chunk.count >= 2 && chunk[0] & 0x0F == 8 && (UInt16(chunk[0]) << 8 | UInt16(chunk[1])) % 31 == 0
                windowBits = zlibWrapped ? 15 : -15
            }
            guard nozzle_inflate_init(stream, windowBits) == Z_OK else {
                stream.deallocate()
                throw Malformed(description: "cannot start inflating")
            }
            zlib = stream
        }
        let stream = zlib!
        try chunk.withUnsafeBufferPointer { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            repeat {
                let (result, produced) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    let result = inflate(stream, Z_NO_FLUSH)
                    return (result, out.count - Int(stream.pointee.avail_out))
                }
                if produced > 0 { try body(Array(output[0..<produced])) }
                switch result {
                case Z_STREAM_END:
                    ended = true
                    if stream.pointee.avail_in > 0 { throw Malformed(description: "data after the end of the \(encoding.rawValue) stream") }
                    return
                case Z_OK, Z_BUF_ERROR:
                    break
                default:
                    let reason = stream.pointee.msg.map { String(cString: $0) } ?? "error \(result)"
                    throw Malformed(description: "invalid \(encoding.rawValue) data: \(reason)")
                }
            } while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0
        }
    }

    private func feedBrotli(_ chunk: [UInt8], _ body: ([UInt8]) throws -> Void) throws {
        guard let brotli else { throw Malformed(description: "cannot start decoding brotli") }
        try chunk.withUnsafeBufferPointer { input in
            var nextIn = input.baseAddress
            var availableIn = input.count
            while true {
                let (result, produced) = output.withUnsafeMutableBufferPointer { out -> (BrotliDecoderResult, Int) in
                    var nextOut = out.baseAddress
                    var availableOut = out.count
                    let result = BrotliDecoderDecompressStream(brotli, &availableIn, &nextIn, &availableOut, &nextOut, nil)
                    return (result, out.count - availableOut)
                }
                if produced > 0 { try body(Array(output[0..<produced])) }
                switch result {
                case BROTLI_DECODER_RESULT_SUCCESS:
                    ended = true
                    if availableIn > 0 { throw Malformed(description: "data after the end of the br stream") }
                    return
                case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
                    continue
                case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                    return
                default:
                    let code = BrotliDecoderGetErrorCode(brotli)
                    throw Malformed(description: "invalid br data: \(String(cString: BrotliDecoderErrorString(code)))")
                }
            }
        }
    }
}
